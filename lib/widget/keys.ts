import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { getAgentRow } from "@/lib/agents/manage";
import { TtlCache } from "@/lib/cache/ttl-cache";
import { config } from "@/lib/config";
import type { WidgetKeyResponse } from "@/lib/contracts";
import { sha256Hex } from "@/lib/crypto";
import { newSecret, secretShape } from "@/lib/crypto/secrets";
import { newPublicId, tables, type Db, type WidgetAppearance, type WidgetKey } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { processSingleton } from "@/lib/runtime/singleton";
import { newIdentitySecret } from "./identity";
import { normaliseOrigin } from "./origins";
import type { CreateWidgetKeyRequest, UpdateWidgetKeyRequest } from "./schemas";

export const WIDGET_KEY_PREFIX = "pk_";
const isWidgetKeyShape = secretShape(WIDGET_KEY_PREFIX);

const normaliseAll = (list: string[]) => [...new Set(list.map(normaliseOrigin))];

const embeddingOrigins = () => processSingleton("widget:embedding-origins", () => new TtlCache<boolean>(config().KEY_CACHE_TTL_MS));

/**
 * Whether some active widget key lists this origin: the browser's CORS question, asked before a
 * request says which key it is for. Whether that key's own list has the origin, the session and
 * the chat check themselves.
 */
export function anyKeyAllowsOrigin(db: Db, origin: string): Promise<boolean> {
  return embeddingOrigins().get(origin, async () => {
    const [listed] = await db
      .select({ id: tables.widgetKeys.id })
      .from(tables.widgetKeys)
      .where(and(isNull(tables.widgetKeys.revokedAt), sql`${origin} = any(${tables.widgetKeys.allowedOrigins})`))
      .limit(1);
    return listed !== undefined;
  });
}

export async function createWidgetKey(
  db: Db,
  owner: { orgId: string; userId: string },
  body: CreateWidgetKeyRequest,
): Promise<{ record: WidgetKey; key: string; identitySecret: string }> {
  const agent = await getAgentRow(db, owner.orgId, body.agent_id);
  const { secret, hash, start } = newSecret(WIDGET_KEY_PREFIX);
  const identity = newIdentitySecret();
  const [record] = await db
    .insert(tables.widgetKeys)
    .values({
      publicId: newPublicId("widgetKey"),
      orgId: owner.orgId,
      agentId: agent.id,
      name: body.name ?? `${agent.name ?? agent.publicId} widget`,
      hash,
      start,
      allowedOrigins: normaliseAll(body.allowed_origins),
      appearance: body.appearance ?? {},
      dailyMessageCap: body.daily_message_cap ?? 1000,
      identitySecretCiphertext: identity.ciphertext,
      identitySecretStart: identity.start,
      createdByUserId: owner.userId,
    })
    .returning();
  embeddingOrigins().clear();
  return { record: record!, key: secret, identitySecret: identity.secret };
}

export function listWidgetKeys(db: Db, orgId: string): Promise<WidgetKey[]> {
  return db.select().from(tables.widgetKeys).where(eq(tables.widgetKeys.orgId, orgId)).orderBy(desc(tables.widgetKeys.createdAt));
}

export async function getWidgetKey(db: Db, orgId: string, publicId: string): Promise<WidgetKey> {
  const [record] = await db
    .select()
    .from(tables.widgetKeys)
    .where(and(eq(tables.widgetKeys.orgId, orgId), eq(tables.widgetKeys.publicId, publicId)))
    .limit(1);
  if (!record) throw notFound("Widget key");
  return record;
}

export async function updateWidgetKey(db: Db, orgId: string, publicId: string, body: UpdateWidgetKeyRequest): Promise<WidgetKey> {
  const record = await getWidgetKey(db, orgId, publicId);
  const [updated] = await db
    .update(tables.widgetKeys)
    .set({
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.allowed_origins ? { allowedOrigins: normaliseAll(body.allowed_origins) } : {}),
      ...(body.appearance ? { appearance: { ...record.appearance, ...body.appearance } } : {}),
      ...(body.daily_message_cap !== undefined ? { dailyMessageCap: body.daily_message_cap } : {}),
    })
    .where(eq(tables.widgetKeys.id, record.id))
    .returning();
  embeddingOrigins().clear();
  return updated!;
}

/** Revokes the key: its sessions end at their next message, and no page can start a new one. */
export async function revokeWidgetKey(db: Db, orgId: string, publicId: string): Promise<WidgetKey> {
  const record = await getWidgetKey(db, orgId, publicId);
  const [revoked] = await db
    .update(tables.widgetKeys)
    .set({ revokedAt: record.revokedAt ?? new Date() })
    .where(eq(tables.widgetKeys.id, record.id))
    .returning();
  return revoked!;
}

/** A new identity secret for the key, returned this once; tokens signed with the old one are refused from now on. */
export async function rotateIdentitySecret(
  db: Db,
  orgId: string,
  publicId: string,
): Promise<{ record: WidgetKey; identitySecret: string }> {
  const current = await getWidgetKey(db, orgId, publicId);
  if (current.revokedAt) throw new ApiError("CONFLICT", "This widget key was revoked; it identifies no visitors any more");
  const { secret, ciphertext, start } = newIdentitySecret();
  const [record] = await db
    .update(tables.widgetKeys)
    .set({ identitySecretCiphertext: ciphertext, identitySecretStart: start })
    .where(eq(tables.widgetKeys.id, current.id))
    .returning();
  return { record: record!, identitySecret: secret };
}

/** The unrevoked key behind a publishable key string, or null. */
export async function findActiveWidgetKey(db: Db, key: string): Promise<WidgetKey | null> {
  if (!isWidgetKeyShape.test(key)) return null;
  const [record] = await db
    .select()
    .from(tables.widgetKeys)
    .where(and(eq(tables.widgetKeys.hash, sha256Hex(key)), isNull(tables.widgetKeys.revokedAt)))
    .limit(1);
  return record ?? null;
}

/** The appearance with every default filled in, as the widget applies it. */
export function appearanceOf(record: WidgetKey): Required<WidgetAppearance> {
  return {
    color: record.appearance.color ?? "#4f46e5",
    position: record.appearance.position ?? "right",
    greeting: record.appearance.greeting ?? "Hi! How can I help?",
    placeholder: record.appearance.placeholder ?? "Type a message…",
    branding: record.appearance.branding ?? true,
    launcher_icon: record.appearance.launcher_icon ?? "chat",
    launcher_label: record.appearance.launcher_label ?? "",
  };
}

export async function serializeWidgetKey(db: Db, record: WidgetKey): Promise<WidgetKeyResponse> {
  const [agent] = await db.select({ publicId: tables.agents.publicId }).from(tables.agents).where(eq(tables.agents.id, record.agentId));
  return {
    id: record.publicId,
    name: record.name,
    agent_id: agent?.publicId ?? record.agentId,
    start: record.start,
    allowed_origins: record.allowedOrigins,
    appearance: appearanceOf(record),
    daily_message_cap: record.dailyMessageCap,
    identity_secret_set: record.identitySecretCiphertext !== null,
    identity_secret_start: record.identitySecretStart,
    created_at: record.createdAt.toISOString(),
    revoked_at: record.revokedAt?.toISOString() ?? null,
  };
}
