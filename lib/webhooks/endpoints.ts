import dns from "node:dns";
import { isIP } from "node:net";
import { and, asc, eq, sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import { TtlCache } from "@/lib/cache/ttl-cache";
import { config } from "@/lib/config";
import type { WebhookEndpointResponse, WebhookEndpointWithSecretResponse } from "@/lib/contracts";
import type { EventEnvelope, EventType } from "@/lib/contracts/event-catalogue";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { newPublicId, tables, type Db, type WebhookEndpoint } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { blockedLabel, isAddressAllowed, isHostAllowListed } from "@/lib/net";
import { processSingleton } from "@/lib/runtime/singleton";
import type { CreateWebhookEndpointRequest, UpdateWebhookEndpointRequest } from "./schemas";
import { eventDeliveryAttempts, queueDeliveries } from "./queue";
import { newWebhookSecret } from "./sign";

const { webhookEndpoints } = tables;

/** After a rotation the old secret keeps signing beside the new one this long, so receivers can switch over. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60_000;

/** What fan-out needs of an enabled endpoint; cached per organisation. */
interface EndpointTarget {
  id: string;
  url: string;
  eventTypes: string[] | null;
}

/**
 * The enabled endpoints of each organisation. Every event asks, most organisations have none, and
 * the answer changes only when an endpoint does: this process forgets an organisation's entry on
 * every change it makes, other processes after WEBHOOK_ENDPOINT_CACHE_TTL_MS.
 */
const targetsCache = () =>
  processSingleton("webhooks:endpoint-targets", () => new TtlCache<EndpointTarget[]>(config().WEBHOOK_ENDPOINT_CACHE_TTL_MS));

const forgetTargets = (orgId: string) => targetsCache().delete(orgId);

function enabledTargets(db: Db, orgId: string): Promise<EndpointTarget[]> {
  // Awaited inside: a query builder runs again each time it is awaited.
  const load = async () =>
    db
      .select({ id: webhookEndpoints.id, url: webhookEndpoints.url, eventTypes: webhookEndpoints.eventTypes })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.orgId, orgId), eq(webhookEndpoints.enabled, true)));
  // A transaction reads for itself: joining a load made outside it would wait forever on a database
  // of one connection (PGlite), where that load waits for the transaction to end.
  return db instanceof PgTransaction ? load() : targetsCache().get(orgId, load);
}

const wants = (target: EndpointTarget, type: EventType) => target.eventTypes === null || target.eventTypes.includes(type);

export interface EventToQueue<T extends EventType> {
  orgId: string;
  type: T;
  data: EventEnvelope<T>["data"];
  /** Only to this endpoint (the test event), whatever it subscribes to. */
  onlyEndpoint?: WebhookEndpoint;
  /** Not to this endpoint (the one that was just disabled). */
  exceptEndpointId?: string;
}

/** `{type, timestamp, data}`, serialised once: every endpoint and every attempt gets these bytes. */
function envelope<T extends EventType>(type: T, data: EventEnvelope<T>["data"]): string {
  const event: EventEnvelope<T> = { type, timestamp: new Date().toISOString(), data };
  return JSON.stringify(event);
}

/** Queues one delivery of the event per endpoint that wants it; an organisation without endpoints costs one cached lookup. */
export async function queueEvent<T extends EventType>(db: Db, event: EventToQueue<T>) {
  const targets = event.onlyEndpoint
    ? [event.onlyEndpoint]
    : (await enabledTargets(db, event.orgId)).filter((target) => wants(target, event.type) && target.id !== event.exceptEndpointId);
  if (targets.length === 0) return [];
  const body = envelope(event.type, event.data);
  return queueDeliveries(
    db,
    targets.map((target) => ({
      orgId: event.orgId,
      subjectId: target.id,
      endpointId: target.id,
      eventType: event.type,
      url: target.url,
      body,
      headers: {},
      signing: "standard" as const,
      maxAttempts: eventDeliveryAttempts(),
    })),
  );
}

const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, "$1");

/**
 * Refuses, at creation already, what the outbound guard would refuse at delivery time when the
 * address can be known now: hosts resolving to private addresses the operator did not allow.
 * Plain http is for loopback receivers only (a local bridge); anything else must be https.
 */
async function checkEndpointUrl(raw: string): Promise<string> {
  const url = new URL(raw);
  if (url.username || url.password) throw new ApiError("BAD_REQUEST", "url: credentials in the URL are not allowed");
  const host = hostOf(url);
  const allowList = config().TOOL_ALLOWED_PRIVATE_HOSTS;
  const addresses = isIP(host)
    ? [host]
    : await dns.promises.lookup(host, { all: true }).then(
        (found) => found.map(({ address }) => address),
        // Not resolvable now: it may be later; the guard checks again at every delivery.
        () => [],
      );
  const refused = isHostAllowListed(host, allowList) ? undefined : addresses.find((address) => !isAddressAllowed(address, allowList));
  if (refused !== undefined) {
    throw new ApiError(
      "BAD_REQUEST",
      `url: ${host} is a ${blockedLabel(refused)} address, which webhooks may not reach (the operator can allow it with TOOL_ALLOWED_PRIVATE_HOSTS)`,
    );
  }
  const loopback = addresses.length > 0 && addresses.every((address) => blockedLabel(address) === "loopback");
  if (url.protocol !== "https:" && !loopback) {
    throw new ApiError("BAD_REQUEST", "url must use https (plain http only for allowed loopback addresses)");
  }
  return url.toString();
}

export function serializeEndpoint(endpoint: WebhookEndpoint): WebhookEndpointResponse {
  const previousActive = endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt.getTime() > Date.now();
  return {
    id: endpoint.publicId,
    url: endpoint.url,
    description: endpoint.description,
    event_types: (endpoint.eventTypes as EventType[] | null) ?? null,
    enabled: endpoint.enabled,
    disabled_reason: endpoint.disabledReason,
    disabled_at: endpoint.disabledAt?.toISOString() ?? null,
    consecutive_failures: endpoint.consecutiveFailures,
    previous_secret_expires_at: previousActive ? (endpoint.previousSecretExpiresAt?.toISOString() ?? null) : null,
    created_at: endpoint.createdAt.toISOString(),
    updated_at: endpoint.updatedAt.toISOString(),
  };
}

const withSecret = (endpoint: WebhookEndpoint, secret: string): WebhookEndpointWithSecretResponse => ({
  ...serializeEndpoint(endpoint),
  secret,
});

export function listEndpoints(db: Db, orgId: string): Promise<WebhookEndpoint[]> {
  return db.select().from(webhookEndpoints).where(eq(webhookEndpoints.orgId, orgId)).orderBy(asc(webhookEndpoints.createdAt));
}

export async function getEndpoint(db: Db, orgId: string, publicId: string): Promise<WebhookEndpoint> {
  const [endpoint] = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.orgId, orgId), eq(webhookEndpoints.publicId, publicId)));
  if (!endpoint) throw notFound("Webhook endpoint");
  return endpoint;
}

/** Creates an endpoint; its secret is in the answer only. */
export async function createEndpoint(
  db: Db,
  orgId: string,
  body: CreateWebhookEndpointRequest,
): Promise<WebhookEndpointWithSecretResponse> {
  const url = await checkEndpointUrl(body.url);
  const secret = newWebhookSecret();
  const [endpoint] = await db
    .insert(webhookEndpoints)
    .values({
      publicId: newPublicId("webhookEndpoint"),
      orgId,
      url,
      description: body.description ?? "",
      eventTypes: body.event_types ?? null,
      enabled: body.enabled ?? true,
      secretCiphertext: encryptSecret(secret),
    })
    .returning();
  if (!endpoint) throw new Error("Inserting a webhook endpoint returned no row");
  forgetTargets(orgId);
  return withSecret(endpoint, secret);
}

/** Changes an endpoint; enabling one clears why Conduit disabled it and its failure count. */
export async function updateEndpoint(
  db: Db,
  orgId: string,
  publicId: string,
  body: UpdateWebhookEndpointRequest,
): Promise<WebhookEndpoint> {
  const endpoint = await getEndpoint(db, orgId, publicId);
  const url = body.url === undefined ? undefined : await checkEndpointUrl(body.url);
  const enabling = body.enabled === true && !endpoint.enabled;
  const disabling = body.enabled === false && endpoint.enabled;
  const [updated] = await db
    .update(webhookEndpoints)
    .set({
      url,
      description: body.description,
      eventTypes: body.event_types,
      enabled: body.enabled,
      ...(enabling ? { disabledReason: null, disabledAt: null, consecutiveFailures: 0 } : {}),
      ...(disabling ? { disabledReason: null, disabledAt: new Date() } : {}),
      updatedAt: new Date(),
    })
    .where(eq(webhookEndpoints.id, endpoint.id))
    .returning();
  if (!updated) throw notFound("Webhook endpoint");
  forgetTargets(orgId);
  return updated;
}

export async function deleteEndpoint(db: Db, orgId: string, publicId: string): Promise<void> {
  const endpoint = await getEndpoint(db, orgId, publicId);
  // Its deliveries go with it; their queued jobs find nothing and end.
  await db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
  forgetTargets(orgId);
}

/** A new secret, shown once; the old one keeps signing beside it for ROTATION_OVERLAP_MS. */
export async function rotateEndpointSecret(db: Db, orgId: string, publicId: string): Promise<WebhookEndpointWithSecretResponse> {
  const endpoint = await getEndpoint(db, orgId, publicId);
  const secret = newWebhookSecret();
  const [updated] = await db
    .update(webhookEndpoints)
    .set({
      secretCiphertext: encryptSecret(secret),
      previousSecretCiphertext: endpoint.secretCiphertext,
      previousSecretExpiresAt: new Date(Date.now() + ROTATION_OVERLAP_MS),
      updatedAt: new Date(),
    })
    .where(eq(webhookEndpoints.id, endpoint.id))
    .returning();
  if (!updated) throw notFound("Webhook endpoint");
  return withSecret(updated, secret);
}

/** The secrets that sign an attempt now: the current one, and the previous one while its overlap lasts. */
export function signingSecrets(endpoint: WebhookEndpoint, now = Date.now()): string[] {
  const previous =
    endpoint.previousSecretCiphertext && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt.getTime() > now
      ? [decryptSecret(endpoint.previousSecretCiphertext)]
      : [];
  return [decryptSecret(endpoint.secretCiphertext), ...previous];
}

/** Sends the endpoint a `webhook.test` event, whatever it subscribes to. */
export async function sendTestEvent(db: Db, orgId: string, publicId: string) {
  const endpoint = await getEndpoint(db, orgId, publicId);
  if (!endpoint.enabled) throw new ApiError("CONFLICT", "The endpoint is disabled; enable it first");
  const [delivery] = await queueEvent(db, {
    orgId,
    type: "webhook.test",
    data: { endpoint_id: endpoint.publicId, message: "A test event from Conduit" },
    onlyEndpoint: endpoint,
  });
  if (!delivery) throw new Error("Queueing a test event returned no delivery");
  return { endpoint, delivery };
}

/**
 * Counts a delivery that used up its attempts, and disables the endpoint if it answered 410 Gone
 * or has now failed WEBHOOK_DISABLE_AFTER_FAILURES deliveries in a row; the organisation's other
 * endpoints hear of it. Inside the caller's transaction.
 */
export async function noteExhaustedDelivery(db: Db, endpointId: string, gone: boolean): Promise<void> {
  const [counted] = await db
    .update(webhookEndpoints)
    .set({ consecutiveFailures: sql`${webhookEndpoints.consecutiveFailures} + 1`, lastFailureAt: new Date() })
    .where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.enabled, true)))
    .returning();
  if (!counted) return;
  const limit = config().WEBHOOK_DISABLE_AFTER_FAILURES;
  if (!gone && counted.consecutiveFailures < limit) return;
  const reason = gone ? "The endpoint answered 410 Gone" : `${counted.consecutiveFailures} deliveries in a row failed after every retry`;
  const disabledAt = new Date();
  const [disabled] = await db
    .update(webhookEndpoints)
    .set({ enabled: false, disabledReason: reason, disabledAt, updatedAt: disabledAt })
    .where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.enabled, true)))
    .returning();
  if (!disabled) return;
  forgetTargets(disabled.orgId);
  console.warn(`[webhooks] disabled endpoint ${disabled.publicId}: ${reason}`);
  await queueEvent(db, {
    orgId: disabled.orgId,
    type: "webhook.endpoint.disabled",
    data: { endpoint_id: disabled.publicId, url: disabled.url, reason, disabled_at: disabledAt.toISOString() },
    exceptEndpointId: disabled.id,
  });
}

/** A delivered event clears the endpoint's run of failures. */
export async function noteDeliveredEvent(db: Db, endpointId: string): Promise<void> {
  await db
    .update(webhookEndpoints)
    .set({ consecutiveFailures: 0 })
    .where(and(eq(webhookEndpoints.id, endpointId), sql`${webhookEndpoints.consecutiveFailures} > 0`));
}
