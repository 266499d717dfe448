import { asc, eq } from "drizzle-orm";
import { config } from "@/lib/config";
import { isTransaction, tables, type Db, type WebhookDelivery, type WebhookSigning } from "@/lib/db";
import { enqueueJob, nudgeWorkers } from "@/lib/jobs";

const { webhookDeliveries } = tables;

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
  /** `standard`: each attempt is signed the Standard Webhooks way with this encrypted secret (or the endpoint's). */
  signing?: WebhookSigning;
  signingSecretCiphertext?: string;
  endpointId?: string;
  eventType?: string;
}

/** Attempts an event delivery gets: the first, then one per entry of WEBHOOK_RETRY_SCHEDULE. */
export const eventDeliveryAttempts = () => config().WEBHOOK_RETRY_SCHEDULE.length + 1;

/**
 * Stores deliveries and enqueues their jobs atomically (inside the caller's transaction, if given
 * one), and wakes the workers once committed.
 */
export async function queueDeliveries(db: Db, webhooks: NewWebhook[]): Promise<WebhookDelivery[]> {
  if (webhooks.length === 0) return [];
  const store = async (tx: Db) => {
    const inserted = await tx
      .insert(webhookDeliveries)
      .values(
        webhooks.map((webhook) => ({
          orgId: webhook.orgId,
          subjectId: webhook.subjectId,
          url: webhook.url,
          body: webhook.body,
          headers: webhook.headers,
          signing: webhook.signing ?? "static",
          signingSecretCiphertext: webhook.signingSecretCiphertext ?? null,
          endpointId: webhook.endpointId ?? null,
          eventType: webhook.eventType ?? null,
        })),
      )
      .returning();
    for (const [index, row] of inserted.entries()) {
      await enqueueJob(tx, {
        kind: "webhook.deliver",
        payload: { deliveryId: row.id },
        maxAttempts: webhooks[index]?.maxAttempts ?? config().WEBHOOK_MAX_ATTEMPTS,
      });
    }
    return inserted;
  };
  // Inside the caller's transaction, that transaction keeps deliveries and jobs together; a
  // savepoint of our own would only add two round trips.
  const rows = isTransaction(db) ? await store(db) : await db.transaction(store);
  // The nudge from enqueueJob came before the commit; the job is visible now (or at the next poll, inside an open transaction).
  nudgeWorkers();
  return rows;
}

/** Stores one delivery and enqueues its job; returns the delivery id. */
export async function queueWebhook(db: Db, webhook: NewWebhook): Promise<string> {
  const [row] = await queueDeliveries(db, [webhook]);
  if (!row) throw new Error("Inserting a webhook delivery returned no row");
  return row.id;
}

/** A subject's deliveries, oldest first, with every attempt. */
export function getDeliveriesFor(db: Db, subjectId: string): Promise<WebhookDelivery[]> {
  return db.select().from(webhookDeliveries).where(eq(webhookDeliveries.subjectId, subjectId)).orderBy(asc(webhookDeliveries.createdAt));
}
