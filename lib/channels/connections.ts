import { randomBytes } from "node:crypto";
import { and, asc, eq, isNull } from "drizzle-orm";
import { getAgentRow } from "@/lib/agents/manage";
import { config } from "@/lib/config";
import type { ChannelResponse } from "@/lib/contracts";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { newPublicId, tables, type ChannelConnection, type Db } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { findPayingKey } from "@/lib/keys";
import { credentialKindOf, credentialSchemas, emailSettings, type CreateChannelRequest, type UpdateChannelRequest } from "./schemas";
import { CHANNEL_TYPES, isMetaChannel, type ChannelType } from "./types";

/** A connection as its organisation sees it. */
export interface ChannelOwner {
  orgId: string;
  userId: string | null;
}

const seal = (credentials: Record<string, string>) => ({
  credentialsCiphertext: encryptSecret(JSON.stringify(credentials)),
  credentialNames: Object.keys(credentials).sort(),
});

/** The connection's decrypted credentials; only ingress checks and reply senders read them. */
export function credentialsOf(connection: ChannelConnection): Record<string, string> {
  return JSON.parse(decryptSecret(connection.credentialsCiphertext)) as Record<string, string>;
}

/** The path segment the vendor calls: Meta's three products share one route. */
export function callbackVendor(type: ChannelType): "meta" | "twilio" | "email" {
  return isMetaChannel(type) ? "meta" : type;
}

/** The URL to paste into the vendor's console, built from PUBLIC_URL (what the vendor signs, for Twilio). */
export function callbackUrl(connection: Pick<ChannelConnection, "type" | "publicId">): string {
  return `${config().publicUrl}/api/webhooks/${callbackVendor(connection.type)}/${connection.publicId}`;
}

/**
 * The key that pays for a connection's runs, as stored: it must be an unrevoked key of the
 * organisation that may use the connection's agent. `undefined` leaves the setting as it is.
 */
async function payingKeyId(db: Db, orgId: string, agentId: string, ref: string | null | undefined): Promise<string | null | undefined> {
  if (ref === undefined || ref === null) return ref;
  const key = await findPayingKey(db, orgId, ref);
  if (key.agentIds && !key.agentIds.includes(agentId)) {
    throw new ApiError("VALIDATION_FAILED", "api_key_id: that key may not use this connection's agent");
  }
  return key.id;
}

/** The keys that may pay for a connection of this agent: unrevoked keys of the organisation that may use it. */
export async function listPayingKeys(
  db: Db,
  orgId: string,
  agentId: string,
): Promise<Array<{ id: string; publicId: string; name: string }>> {
  const k = tables.apiKeys;
  const keys = await db
    .select({ id: k.id, publicId: k.publicId, name: k.name, agentIds: k.agentIds })
    .from(k)
    .where(and(eq(k.orgId, orgId), isNull(k.revokedAt)))
    .orderBy(asc(k.name));
  return keys.filter((key) => !key.agentIds || key.agentIds.includes(agentId)).map(({ id, publicId, name }) => ({ id, publicId, name }));
}

export async function createChannel(
  db: Db,
  owner: ChannelOwner,
  body: CreateChannelRequest,
): Promise<{ connection: ChannelConnection; inboxSecret: string | null }> {
  const agent = await getAgentRow(db, owner.orgId, body.agent_id);
  const inboxSecret = body.type === "email" ? (body.credentials?.inbox_secret ?? randomBytes(24).toString("base64url")) : null;
  const credentials: Record<string, string> = body.type === "email" ? { inbox_secret: inboxSecret! } : { ...body.credentials };
  const [connection] = await db
    .insert(tables.channelConnections)
    .values({
      publicId: newPublicId("channel"),
      orgId: owner.orgId,
      agentId: agent.id,
      type: body.type,
      name: body.name ?? body.type,
      enabled: body.enabled ?? true,
      apiKeyId: (await payingKeyId(db, owner.orgId, agent.id, body.api_key_id)) ?? null,
      ...seal(credentials),
      settings: body.type === "email" ? { ...body.settings } : {},
      createdByUserId: owner.userId,
    })
    .returning();
  return { connection: connection!, inboxSecret };
}

export async function listChannels(db: Db, orgId: string, agentRef?: string): Promise<ChannelConnection[]> {
  const agent = agentRef ? await getAgentRow(db, orgId, agentRef) : null;
  return db
    .select()
    .from(tables.channelConnections)
    .where(and(eq(tables.channelConnections.orgId, orgId), agent ? eq(tables.channelConnections.agentId, agent.id) : undefined))
    .orderBy(asc(tables.channelConnections.createdAt));
}

/** A connection of the organisation by its public id; another organisation's is a 404 like a missing one. */
export async function getChannel(db: Db, orgId: string, publicId: string): Promise<ChannelConnection> {
  const [connection] = await db
    .select()
    .from(tables.channelConnections)
    .where(and(eq(tables.channelConnections.orgId, orgId), eq(tables.channelConnections.publicId, publicId)))
    .limit(1);
  if (!connection) throw notFound("Channel connection");
  return connection;
}

/** The connection a vendor's callback names, if it exists and is enabled (the route answers 404 otherwise). */
export async function findEnabledChannel(db: Db, vendor: "meta" | "twilio" | "email", publicId: string): Promise<ChannelConnection | null> {
  if (!/^chn_[0-9A-Za-z]{16}$/.test(publicId)) return null;
  const [connection] = await db
    .select()
    .from(tables.channelConnections)
    .where(and(eq(tables.channelConnections.publicId, publicId), eq(tables.channelConnections.enabled, true)))
    .limit(1);
  return connection && callbackVendor(connection.type) === vendor ? connection : null;
}

/** Merges new credentials over the stored ones, checked as a whole against the channel's schema. */
function mergedCredentials(connection: ChannelConnection, changes: Record<string, string>): Record<string, string> {
  const merged = { ...credentialsOf(connection), ...changes };
  const parsed = credentialSchemas[credentialKindOf(connection.type)].safeParse(merged);
  if (!parsed.success) {
    throw new ApiError("VALIDATION_FAILED", `credentials: ${parsed.error.issues.map((issue) => issue.message).join("; ")}`);
  }
  return Object.fromEntries(Object.entries(parsed.data).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

function mergedSettings(connection: ChannelConnection, changes: Record<string, string>): Record<string, string> {
  if (connection.type !== "email") {
    if (Object.keys(changes).length > 0) throw new ApiError("VALIDATION_FAILED", `settings: a ${connection.type} connection has none`);
    return connection.settings;
  }
  const parsed = emailSettings.safeParse({ ...connection.settings, ...changes });
  if (!parsed.success) throw new ApiError("VALIDATION_FAILED", `settings: ${parsed.error.issues.map((issue) => issue.message).join("; ")}`);
  return { ...parsed.data };
}

export async function updateChannel(db: Db, orgId: string, publicId: string, body: UpdateChannelRequest): Promise<ChannelConnection> {
  const connection = await getChannel(db, orgId, publicId);
  const apiKeyId = await payingKeyId(db, orgId, connection.agentId, body.api_key_id);
  const [updated] = await db
    .update(tables.channelConnections)
    .set({
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      ...(apiKeyId !== undefined ? { apiKeyId } : {}),
      ...(body.credentials ? seal(mergedCredentials(connection, body.credentials)) : {}),
      ...(body.settings ? { settings: mergedSettings(connection, body.settings) } : {}),
      updatedAt: new Date(),
    })
    .where(eq(tables.channelConnections.id, connection.id))
    .returning();
  return updated!;
}

/** Deletes the connection with its contacts and message log; the conversations stay in the record. */
export async function deleteChannel(db: Db, orgId: string, publicId: string): Promise<void> {
  const connection = await getChannel(db, orgId, publicId);
  await db.delete(tables.channelConnections).where(eq(tables.channelConnections.id, connection.id));
}

export async function serializeChannel(db: Db, connection: ChannelConnection): Promise<ChannelResponse> {
  const [agent] = await db
    .select({ publicId: tables.agents.publicId })
    .from(tables.agents)
    .where(eq(tables.agents.id, connection.agentId))
    .limit(1);
  const [key] = connection.apiKeyId
    ? await db.select({ publicId: tables.apiKeys.publicId }).from(tables.apiKeys).where(eq(tables.apiKeys.id, connection.apiKeyId)).limit(1)
    : [];
  return {
    id: connection.publicId,
    agent_id: agent?.publicId ?? connection.agentId,
    type: connection.type,
    name: connection.name,
    enabled: connection.enabled,
    api_key_id: key?.publicId ?? null,
    callback_url: callbackUrl(connection),
    credentials_set: connection.credentialNames,
    settings: connection.settings,
    created_at: connection.createdAt.toISOString(),
    updated_at: connection.updatedAt.toISOString(),
  };
}

export { CHANNEL_TYPES };
