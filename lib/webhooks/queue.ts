import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { config } from "@/lib/config";
import { tables, type Db, type WebhookDelivery, type WebhookSigning } from "@/lib/db";
import { jobsInsertCte, nudgeWorkers } from "@/lib/jobs";

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
 * Stores deliveries and enqueues their jobs in one statement, so atomically (with the caller's
 * other writes if `db` is a transaction), and wakes the workers once it has run.
 */
export async function queueDeliveries(db: Db, webhooks: NewWebhook[]): Promise<WebhookDelivery[]> {
  if (webhooks.length === 0) return [];
  // Ids chosen here, so each job can name its delivery in the same statement.
  const deliveries = webhooks.map((webhook) => ({ id: randomUUID(), webhook }));
  const deliveryJobs = jobsInsertCte(
    db,
    "delivery_jobs",
    deliveries.map(({ id, webhook }) => ({
      kind: "webhook.deliver" as const,
      payload: { deliveryId: id },
      maxAttempts: webhook.maxAttempts ?? config().WEBHOOK_MAX_ATTEMPTS,
    })),
  );
  const rows = await db
    .with(deliveryJobs)
    .insert(webhookDeliveries)
    .values(
      deliveries.map(({ id, webhook }) => ({
        id,
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
  // Inside an open transaction the jobs are found at the next poll, or by the caller's nudge after committing.
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
