import { and, eq, isNull, or } from "drizzle-orm";
import { config } from "@/lib/config";
import { sha256Hex } from "@/lib/crypto";
import { newSecret, secretShape } from "@/lib/crypto/secrets";
import { getDb, newPublicId, noteLastUsed, tables, UUID_PATTERN, type ApiKey, type Db } from "@/lib/db";
import { TtlCache } from "@/lib/cache/ttl-cache";
import { ApiError } from "@/lib/errors";
import { now } from "@/lib/runtime/clock";
import { processSingleton } from "@/lib/runtime/singleton";

/** Readable prefix so leaked keys are recognisable (and findable by secret scanners). */
export const API_KEY_PREFIX = "cdt_";
const KEY_SHAPE = secretShape(API_KEY_PREFIX);

export interface ResolvedKey {
  id: string;
  publicId: string;
  orgId: string;
  name: string;
  ownerUserId: string | null;
  agentIds: string[] | null;
  rateLimitPerMinute: number | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  responseUrl: string | null;
  signingSecretCiphertext: string | null;
  budgetUsdCents: number | null;
  budgetPeriod: "daily" | "monthly" | "total" | null;
  org: {
    id: string;
    name: string;
    apiChannelEnabled: boolean;
    billingMode: "hosted" | "byok";
    monthlyMessageLimit: number | null;
    monthlyTokenLimit: number | null;
  };
}

export interface CreateApiKeyInput {
  orgId: string;
  name: string;
  agentIds?: string[] | null;
  rateLimitPerMinute?: number | null;
  expiresAt?: Date | null;
  createdByUserId?: string | null;
}

/** Creates a key; the returned secret is the only copy that will ever exist. */
export async function createApiKey(db: Db, input: CreateApiKeyInput): Promise<{ secret: string; record: ApiKey }> {
  const { secret, hash, start } = newSecret(API_KEY_PREFIX);
  const [record] = await db
    .insert(tables.apiKeys)
    .values({
      publicId: newPublicId("apiKey"),
      orgId: input.orgId,
      name: input.name,
      hash,
      start,
      last4: secret.slice(-4),
      agentIds: input.agentIds ?? null,
      rateLimitPerMinute: input.rateLimitPerMinute ?? null,
      expiresAt: input.expiresAt ?? null,
      createdByUserId: input.createdByUserId ?? null,
    })
    .returning();
  if (!record) throw new Error("API key insert returned no row");
  return { secret, record };
}

const keyCache = () => processSingleton("keys:cache", () => new TtlCache<ResolvedKey | null>(config().KEY_CACHE_TTL_MS));

/** Revokes a key of one organisation; takes effect at once in this process, within the cache TTL elsewhere. */
export async function revokeApiKey(db: Db, orgId: string, keyId: string): Promise<boolean> {
  const [row] = await db
    .update(tables.apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(tables.apiKeys.id, keyId), eq(tables.apiKeys.orgId, orgId), isNull(tables.apiKeys.revokedAt)))
    .returning({ hash: tables.apiKeys.hash });
  if (row) keyCache().delete(row.hash);
  return Boolean(row);
}

/**
 * Replaces a key's secret, unless it changed meanwhile (null then): the row, with its id,
 * budget, spend and settings, stays. The old secret is dropped from this process's cache.
 */
export async function rotateApiKey(db: Db, current: Pick<ApiKey, "id" | "hash">): Promise<{ secret: string; record: ApiKey } | null> {
  const { secret, hash, start } = newSecret(API_KEY_PREFIX);
  const [record] = await db
    .update(tables.apiKeys)
    .set({ hash, start, last4: secret.slice(-4) })
    .where(and(eq(tables.apiKeys.id, current.id), eq(tables.apiKeys.hash, current.hash), isNull(tables.apiKeys.revokedAt)))
    .returning();
  keyCache().delete(current.hash);
  return record ? { secret, record } : null;
}

/** A key with its organisation's settings, by hash or by id. */
async function loadKey(which: { hash: string } | { id: string }): Promise<ResolvedKey | null> {
  const db = await getDb();
  const [row] = await db
    .select({ key: tables.apiKeys, org: tables.organisations })
    .from(tables.apiKeys)
    .innerJoin(tables.organisations, eq(tables.organisations.id, tables.apiKeys.orgId))
    .where("hash" in which ? eq(tables.apiKeys.hash, which.hash) : eq(tables.apiKeys.id, which.id))
    .limit(1);
  if (!row) return null;
  const { key, org } = row;
  return {
    id: key.id,
    publicId: key.publicId,
    orgId: key.orgId,
    name: key.name,
    ownerUserId: key.createdByUserId,
    agentIds: key.agentIds,
    rateLimitPerMinute: key.rateLimitPerMinute,
    expiresAt: key.expiresAt,
    revokedAt: key.revokedAt,
    responseUrl: key.responseUrl,
    signingSecretCiphertext: key.signingSecretCiphertext,
    budgetUsdCents: key.budgetUsdCents,
    budgetPeriod: key.budgetPeriod,
    org: {
      id: org.id,
      name: org.name,
      apiChannelEnabled: org.apiChannelEnabled,
      billingMode: org.billingMode,
      monthlyMessageLimit: org.monthlyMessageLimit,
      monthlyTokenLimit: org.monthlyTokenLimit,
    },
  };
}

/** What a presented secret turned out to be; a revoked or expired key comes with its record, to say so. */
export type KeyInspection = { state: "active" | "revoked" | "expired"; key: ResolvedKey } | { state: "unknown"; key: null };

/** A presented secret as found: active, revoked, expired, or unknown. Cached briefly by hash. */
export async function inspectApiKey(secret: string): Promise<KeyInspection> {
  if (!KEY_SHAPE.test(secret)) return { state: "unknown", key: null };
  const hash = sha256Hex(secret);
  const key = await keyCache().get(hash, () => loadKey({ hash }));
  if (!key) return { state: "unknown", key: null };
  if (key.revokedAt) return { state: "revoked", key };
  if (isExpired(key, now())) return { state: "expired", key };
  noteLastUsed("apiKeys", key.id);
  return { state: "active", key };
}

const isExpired = (key: ResolvedKey, at: Date) => key.expiresAt !== null && key.expiresAt.getTime() <= at.getTime();

/** The refusal of a key past its expiry, worded apart from a revocation: its owner needs a new key, not an investigation. */
export function keyExpired(key: ResolvedKey): ApiError {
  return new ApiError("KEY_EXPIRED", `This API key expired at ${key.expiresAt?.toISOString()}`);
}

/** Drops a key from this process's cache after it changed (budget, webhook, revocation). */
export function forgetCachedKey(hash: string): void {
  keyCache().delete(hash);
}

/** Whether a key may address an agent (keys can be limited to some agents of their organisation). */
export function keyAllowsAgent(key: ResolvedKey, agentId: string): boolean {
  return key.agentIds === null || key.agentIds.includes(agentId);
}

/** A key by id, bypassing the cache (background work acts on the current state of the key). */
export function loadApiKeyById(id: string): Promise<ResolvedKey | null> {
  return loadKey({ id });
}

/**
 * Why background work queued under a key must not run now, or null: a revocation, an expiry or
 * the organisation's API channel switch reaches work already queued, not only new requests.
 */
export function backgroundRefusal(key: ResolvedKey, at: Date): ApiError | null {
  if (key.revokedAt) return new ApiError("KEY_REVOKED", "The API key was revoked before this work ran");
  if (isExpired(key, at)) return new ApiError("KEY_EXPIRED", "The API key expired before this work ran");
  if (!key.org.apiChannelEnabled) return new ApiError("CHANNEL_DISABLED", "The API channel was disabled before this work ran");
  return null;
}

/** Drops every cached key (their organisation's settings changed). */
export function forgetCachedKeys(): void {
  keyCache().clear();
}

/**
 * The key a channel connection or an automation names (`api_key_id`, by public id or UUID) to pay
 * for its runs: an unrevoked key of the organisation; a 400 naming the field otherwise.
 */
export async function findPayingKey(db: Db, orgId: string, ref: string): Promise<{ id: string; agentIds: string[] | null }> {
  const k = tables.apiKeys;
  const [key] = await db
    .select({ id: k.id, agentIds: k.agentIds })
    .from(k)
    .where(
      and(eq(k.orgId, orgId), isNull(k.revokedAt), UUID_PATTERN.test(ref) ? or(eq(k.id, ref), eq(k.publicId, ref)) : eq(k.publicId, ref)),
    )
    .limit(1);
  if (!key) throw new ApiError("VALIDATION_FAILED", "api_key_id: no unrevoked API key by that id in your organisation");
  return key;
}
