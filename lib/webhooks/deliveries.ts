import { and, desc, eq, lt, or } from "drizzle-orm";
import type { WebhookDeliveryListResponse, WebhookDeliveryResponse } from "@/lib/contracts";
import { tables, type Db, type WebhookDelivery } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { enqueueJob, nudgeWorkers } from "@/lib/jobs";
import { getEndpoint } from "./endpoints";
import { eventDeliveryAttempts } from "./queue";
import type { ListWebhookDeliveriesQuery } from "./schemas";

const { webhookDeliveries, webhookEndpoints } = tables;

export function serializeDelivery(delivery: WebhookDelivery, endpointPublicId: string): WebhookDeliveryResponse {
  return {
    id: delivery.messageId,
    endpoint_id: endpointPublicId,
    event_type: delivery.eventType ?? "",
    status: delivery.status,
    payload: delivery.body,
    attempts: delivery.attempts.map((attempt) => ({ ...attempt, response: attempt.response ?? null })),
    delivered_at: delivery.deliveredAt?.toISOString() ?? null,
    created_at: delivery.createdAt.toISOString(),
  };
}

/** The page cursor: where the last item of a page sits in (created_at, id) order. */
const encodeCursor = (delivery: WebhookDelivery) => Buffer.from(`${delivery.createdAt.toISOString()}|${delivery.id}`).toString("base64url");

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at = "", id = ""] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(at);
  if (Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id))
    throw new ApiError("VALIDATION_FAILED", "cursor is not one this API gave");
  return { createdAt, id };
}

/** An endpoint's deliveries, newest first, with every attempt. */
export async function listDeliveries(
  db: Db,
  orgId: string,
  endpointPublicId: string,
  query: ListWebhookDeliveriesQuery,
): Promise<WebhookDeliveryListResponse> {
  const endpoint = await getEndpoint(db, orgId, endpointPublicId);
  const limit = query.limit ?? 20;
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.orgId, orgId),
        eq(webhookDeliveries.endpointId, endpoint.id),
        after
          ? or(
              lt(webhookDeliveries.createdAt, after.createdAt),
              and(eq(webhookDeliveries.createdAt, after.createdAt), lt(webhookDeliveries.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    data: page.map((delivery) => serializeDelivery(delivery, endpoint.publicId)),
    next_cursor: rows.length > limit && last ? encodeCursor(last) : null,
  };
}

/** Sends a settled event delivery again: the same `webhook-id` and bytes, with a fresh set of attempts. */
export async function resendDelivery(db: Db, orgId: string, messageId: string): Promise<WebhookDeliveryResponse> {
  const [found] = await db
    .select({ delivery: webhookDeliveries, endpoint: webhookEndpoints })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(and(eq(webhookDeliveries.orgId, orgId), eq(webhookDeliveries.messageId, messageId)));
  if (!found) throw notFound("Webhook delivery");
  if (!found.endpoint.enabled) throw new ApiError("CONFLICT", "The endpoint is disabled; enable it first");
  const resent = await db.transaction(async (tx) => {
    // Only a settled delivery: a pending one already has a job, and two would race.
    const [row] = await tx
      .update(webhookDeliveries)
      .set({ status: "pending", deliveredAt: null })
      .where(
        and(
          eq(webhookDeliveries.id, found.delivery.id),
          or(eq(webhookDeliveries.status, "delivered"), eq(webhookDeliveries.status, "failed")),
        ),
      )
      .returning();
    if (!row) throw new ApiError("CONFLICT", "The delivery is still being attempted");
    await enqueueJob(tx, { kind: "webhook.deliver", payload: { deliveryId: row.id }, maxAttempts: eventDeliveryAttempts() });
    return row;
  });
  nudgeWorkers();
  return serializeDelivery(resent, found.endpoint.publicId);
}
