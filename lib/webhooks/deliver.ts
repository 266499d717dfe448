import { and, eq, isNotNull, lt, ne, sql } from "drizzle-orm";
import { config } from "@/lib/config";
import { decryptSecret } from "@/lib/crypto";
import { getDb, tables, type Db, type WebhookAttempt, type WebhookDelivery, type WebhookEndpoint } from "@/lib/db";
import { PermanentJobError, RetryLaterError, type JobHandler } from "@/lib/jobs";
import { retryAfterMs } from "@/lib/net";
import { processSingleton } from "@/lib/runtime/singleton";
import { noteDeliveredEvent, noteExhaustedDelivery, signingSecrets } from "./endpoints";
import { postWebhook, type PostOutcome } from "./post";
import { standardWebhookHeaders } from "./sign";

const { webhookDeliveries, webhookEndpoints } = tables;

async function recordAttempt(db: Db, deliveryId: string, attempt: WebhookAttempt, delivered: boolean): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({
      attempts: sql`${webhookDeliveries.attempts} || ${JSON.stringify([attempt])}::jsonb`,
      ...(delivered ? { status: "delivered" as const, deliveredAt: new Date() } : {}),
    })
    .where(eq(webhookDeliveries.id, deliveryId));
}

/** The event schedule's delay after failed attempt `attempt` (1-based), ±10% so endpoints that failed together do not retry together. */
function scheduledDelayMs(attempt: number): number {
  const schedule = config().WEBHOOK_RETRY_SCHEDULE;
  const base = schedule[Math.min(attempt, schedule.length) - 1] ?? 0;
  return base * (0.9 + Math.random() * 0.2);
}

/** Throws what the job queue needs to hear about a non-2xx answer (a 3xx included: redirects are not followed). */
function failureFor(delivery: WebhookDelivery, attempt: number, { status, retryAfter }: PostOutcome): Error {
  if (status === 410) return new PermanentJobError("Receiver answered 410 Gone");
  const requested = retryAfterMs(retryAfter);
  const message = `Receiver answered ${status}${requested === undefined ? "" : ` (Retry-After: ${retryAfter})`}`;
  // Event deliveries follow their own schedule over about a day; task replies and gate decisions the queue's backoff.
  const scheduled = delivery.endpointId ? scheduledDelayMs(attempt) : 0;
  const delayMs = Math.max(scheduled, requested ?? 0);
  return delayMs > 0 ? new RetryLaterError(message, delayMs) : new Error(message);
}

async function loadDelivery(db: Db, deliveryId: string): Promise<WebhookDelivery> {
  const [delivery] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
  if (!delivery) throw new PermanentJobError(`Webhook delivery ${deliveryId} no longer exists`);
  return delivery;
}

async function loadEndpoint(db: Db, endpointId: string): Promise<WebhookEndpoint> {
  const [endpoint] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId));
  if (!endpoint) throw new PermanentJobError("The webhook endpoint no longer exists");
  if (!endpoint.enabled) throw new PermanentJobError("The webhook endpoint is disabled");
  return endpoint;
}

/** The headers of this attempt: stored ones, or Standard Webhooks signed now (so a retry hours later is still fresh). */
async function headersFor(db: Db, delivery: WebhookDelivery): Promise<Record<string, string>> {
  if (delivery.signing === "static") return delivery.headers;
  const secrets = delivery.endpointId
    ? signingSecrets(await loadEndpoint(db, delivery.endpointId))
    : delivery.signingSecretCiphertext
      ? [decryptSecret(delivery.signingSecretCiphertext)]
      : [];
  if (secrets.length === 0) throw new PermanentJobError("No secret to sign the delivery with");
  return { ...delivery.headers, ...standardWebhookHeaders(delivery.messageId, delivery.body, secrets) };
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** One POST, recorded in the delivery's attempts whatever happens; throws unless the receiver answered 2xx. */
async function deliver(db: Db, delivery: WebhookDelivery, attempt: number): Promise<void> {
  const headers = await headersFor(db, delivery);
  const at = new Date().toISOString();
  const started = performance.now();
  const durationMs = () => Math.round(performance.now() - started);
  let outcome: PostOutcome;
  try {
    outcome = await postWebhook(delivery.url, delivery.body, headers);
  } catch (error) {
    await recordAttempt(db, delivery.id, { at, status: null, error: errorText(error), duration_ms: durationMs(), response: null }, false);
    throw error;
  }
  const ok = outcome.status >= 200 && outcome.status < 300;
  const attemptRecord = { at, status: outcome.status, error: null, duration_ms: durationMs(), response: outcome.snippet || null };
  await recordAttempt(db, delivery.id, attemptRecord, ok);
  if (!ok) throw failureFor(delivery, attempt, outcome);
  if (delivery.endpointId) await noteDeliveredEvent(db, delivery.endpointId);
}

/**
 * Deletes settled event deliveries past WEBHOOK_DELIVERY_RETENTION_DAYS, at most hourly per
 * process, on the worker's schedule. Task replies and gate decisions stay: their tasks and
 * threads show them.
 */
async function pruneOldDeliveries(db: Db): Promise<void> {
  const state = processSingleton("webhooks:pruned", () => ({ at: 0 }));
  if (Date.now() - state.at < 60 * 60_000) return;
  state.at = Date.now();
  const cutoff = new Date(Date.now() - config().WEBHOOK_DELIVERY_RETENTION_DAYS * 24 * 60 * 60_000);
  await db
    .delete(webhookDeliveries)
    .where(and(isNotNull(webhookDeliveries.endpointId), ne(webhookDeliveries.status, "pending"), lt(webhookDeliveries.createdAt, cutoff)));
}

/** The `webhook.deliver` job: every outgoing webhook (task replies, gate decisions, organisation events). */
export const webhookJobHandler: JobHandler<"webhook.deliver"> = {
  async run(payload, job) {
    const db = await getDb();
    await pruneOldDeliveries(db).catch((error: unknown) => console.error(`[webhooks] pruning old deliveries failed: ${errorText(error)}`));
    const delivery = await loadDelivery(db, payload.deliveryId);
    // Settled already: a worker died after delivering but before marking its job done.
    if (delivery.status !== "pending") return;
    await deliver(db, delivery, job.attempts);
  },
  async giveUp(payload) {
    const db = await getDb();
    await db.transaction(async (tx) => {
      const [failed] = await tx
        .update(webhookDeliveries)
        .set({ status: "failed" })
        .where(and(eq(webhookDeliveries.id, payload.deliveryId), eq(webhookDeliveries.status, "pending")))
        .returning();
      // A delivery that never reached its endpoint (disabled, deleted) says nothing about the receiver.
      const last = failed?.attempts.at(-1);
      if (!failed?.endpointId || !last) return;
      await noteExhaustedDelivery(tx, failed.endpointId, last.status === 410);
    });
  },
};
