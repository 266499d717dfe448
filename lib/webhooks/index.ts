import { and, asc, eq, sql } from "drizzle-orm";
import { config } from "@/lib/config";
import { getDb, tables, type Db, type WebhookDelivery } from "@/lib/db";
import { enqueueJob, nudgeWorkers, PermanentJobError, RetryLaterError, type JobHandler } from "@/lib/jobs";
import { postWebhook, retryAfterMs, type PostOutcome } from "./post";

export { signBody } from "./sign";

const { webhookDeliveries } = tables;

type Attempt = WebhookDelivery["attempts"][number];

export interface NewWebhook {
  orgId: string;
  /** What the delivery is about (e.g. the task id), for getDeliveriesFor. */
  subjectId: string;
  url: string;
  /** The exact JSON text to send; it is stored, so every retry sends the same bytes. */
  body: string;
  /** Sent with every attempt, e.g. X-Signature: signBody(secret, body). */
  headers: Record<string, string>;
  /** Attempts in all, first one included; default WEBHOOK_MAX_ATTEMPTS. */
  maxAttempts?: number;
}

/**
 * Stores a delivery and enqueues its job atomically (inside the caller's transaction, if given one).
 * Returns the delivery id.
 */
export async function queueWebhook(db: Db, webhook: NewWebhook): Promise<string> {
  const id = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(webhookDeliveries)
      .values({ orgId: webhook.orgId, subjectId: webhook.subjectId, url: webhook.url, body: webhook.body, headers: webhook.headers })
      .returning({ id: webhookDeliveries.id });
    if (!row) throw new Error("Inserting a webhook delivery returned no row");
    await enqueueJob(tx, {
      kind: "webhook.deliver",
      payload: { deliveryId: row.id },
      maxAttempts: webhook.maxAttempts ?? config().WEBHOOK_MAX_ATTEMPTS,
    });
    return row.id;
  });
  // The nudge from enqueueJob came before the commit; the job is visible now.
  nudgeWorkers();
  return id;
}

/** A subject's deliveries, oldest first, with every attempt. */
export function getDeliveriesFor(db: Db, subjectId: string): Promise<WebhookDelivery[]> {
  return db.select().from(webhookDeliveries).where(eq(webhookDeliveries.subjectId, subjectId)).orderBy(asc(webhookDeliveries.createdAt));
}

async function recordAttempt(db: Db, deliveryId: string, attempt: Attempt, delivered: boolean): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({
      attempts: sql`${webhookDeliveries.attempts} || ${JSON.stringify([attempt])}::jsonb`,
      ...(delivered ? { status: "delivered" as const, deliveredAt: new Date() } : {}),
    })
    .where(eq(webhookDeliveries.id, deliveryId));
}

/** Throws what the job queue needs to hear about a non-2xx answer. */
function failureFor(status: number, retryAfter: string | undefined): Error {
  if (status === 410) return new PermanentJobError("Receiver answered 410 Gone");
  const delayMs = retryAfterMs(retryAfter);
  const message = `Receiver answered ${status}`;
  return delayMs === undefined ? new Error(message) : new RetryLaterError(`${message} (Retry-After: ${retryAfter})`, delayMs);
}

async function loadDelivery(db: Db, deliveryId: string): Promise<WebhookDelivery> {
  const [delivery] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
  if (!delivery) throw new PermanentJobError(`Webhook delivery ${deliveryId} no longer exists`);
  return delivery;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** One POST, recorded in the delivery's attempts whatever happens; throws unless the receiver answered 2xx. */
async function deliver(db: Db, delivery: WebhookDelivery): Promise<void> {
  const at = new Date().toISOString();
  const started = performance.now();
  const durationMs = () => Math.round(performance.now() - started);
  let outcome: PostOutcome;
  try {
    outcome = await postWebhook(delivery.url, delivery.body, delivery.headers);
  } catch (error) {
    await recordAttempt(db, delivery.id, { at, status: null, error: errorText(error), duration_ms: durationMs() }, false);
    throw error;
  }
  const ok = outcome.status >= 200 && outcome.status < 300;
  await recordAttempt(db, delivery.id, { at, status: outcome.status, error: null, duration_ms: durationMs() }, ok);
  if (!ok) throw failureFor(outcome.status, outcome.retryAfter);
}

/** The `webhook.deliver` job. */
export const webhookJobHandler: JobHandler<"webhook.deliver"> = {
  async run(payload) {
    const db = await getDb();
    const delivery = await loadDelivery(db, payload.deliveryId);
    // Settled already: a worker died after delivering but before marking its job done.
    if (delivery.status !== "pending") return;
    await deliver(db, delivery);
  },
  async giveUp(payload) {
    await (
      await getDb()
    )
      .update(webhookDeliveries)
      .set({ status: "failed" })
      .where(and(eq(webhookDeliveries.id, payload.deliveryId), eq(webhookDeliveries.status, "pending")));
  },
};
