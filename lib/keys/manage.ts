import { randomBytes } from "node:crypto";
import { and, asc, desc, eq, inArray, or } from "drizzle-orm";
import type { z } from "zod";
import { keySpendFor, microcentsToCents } from "@/lib/billing";
import { encryptSecret } from "@/lib/crypto";
import { tables, UUID_PATTERN, type ApiKey, type Db } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import type { ApiKeyDetailsResponse, ApiKeyResponse } from "@/lib/contracts";
import { now } from "@/lib/runtime/clock";
import { createApiKey, forgetCachedKey, rotateApiKey } from "./index";
import { CreateApiKeyRequest, MAX_KEY_AGENTS, UpdateApiKeyRequest } from "./schemas";

export { CreateApiKeyRequest, UpdateApiKeyRequest };

/** The user managing their keys (an authenticated token's user fits); keys are theirs within one organisation. */
interface KeyOwner {
  userId: string;
  orgId: string;
}

/** A budget without a period never resets. */
function periodFor(budget: number | null | undefined, period: string | null | undefined) {
  if (budget === null || budget === undefined) return null;
  return (period ?? "total") as "daily" | "monthly" | "total";
}

/**
 * The agents a key is limited to, as stored (UUIDs, in the order given, without repeats): every
 * reference, an `agt_` id or a UUID, must name an agent of the key's organisation.
 */
async function keyAgentIds(db: Db, orgId: string, refs: string[]): Promise<string[]> {
  const uuids = refs.filter((ref) => UUID_PATTERN.test(ref)).map((ref) => ref.toLowerCase());
  const found = await db
    .select({ id: tables.agents.id, publicId: tables.agents.publicId })
    .from(tables.agents)
    .where(
      and(
        eq(tables.agents.orgId, orgId),
        uuids.length > 0
          ? or(inArray(tables.agents.publicId, refs), inArray(tables.agents.id, uuids))
          : inArray(tables.agents.publicId, refs),
      ),
    );
  const idOf = (ref: string) => found.find((agent) => agent.publicId === ref || agent.id === ref.toLowerCase())?.id;
  const unknown = refs.filter((ref) => !idOf(ref));
  if (unknown.length > 0) {
    throw new ApiError("VALIDATION_FAILED", `agent_ids: no agent ${unknown.join(", ")} in your organisation`);
  }
  return [...new Set(refs.map((ref) => idOf(ref)!))];
}

/** One transaction: a key whose settings could not be stored must not be left behind without its budget. */
export async function createManagedKey(db: Db, user: KeyOwner, body: z.output<typeof CreateApiKeyRequest>) {
  const signingSecret = `whsec_${randomBytes(24).toString("base64url")}`;
  const agentIds = body.agent_ids ? await keyAgentIds(db, user.orgId, body.agent_ids) : null;
  return db.transaction(async (tx) => {
    const { secret, record } = await createApiKey(tx, {
      orgId: user.orgId,
      name: body.label ?? "API key",
      agentIds,
      createdByUserId: user.userId,
    });
    const [updated] = await tx
      .update(tables.apiKeys)
      .set({
        responseUrl: body.response_url ?? null,
        signingSecretCiphertext: encryptSecret(signingSecret),
        budgetUsdCents: body.budget_usd_cents ?? null,
        budgetPeriod: periodFor(body.budget_usd_cents, body.budget_period),
      })
      .where(eq(tables.apiKeys.id, record.id))
      .returning();
    return { record: updated!, secret, signingSecret };
  });
}

/** Whose keys a user manages: the ones they created, in their organisation (the same for every role). */
const ownKeys = (user: KeyOwner) => and(eq(tables.apiKeys.orgId, user.orgId), eq(tables.apiKeys.createdByUserId, user.userId));

export function listManagedKeys(db: Db, user: KeyOwner): Promise<ApiKey[]> {
  return db.select().from(tables.apiKeys).where(ownKeys(user)).orderBy(asc(tables.apiKeys.createdAt));
}

/** A page of the user's keys, newest first; `hasMore` says whether another page follows. */
export async function pageOfManagedKeys(
  db: Db,
  user: KeyOwner,
  page: { limit: number; offset: number },
): Promise<{ keys: ApiKey[]; hasMore: boolean }> {
  const rows = await db
    .select()
    .from(tables.apiKeys)
    .where(ownKeys(user))
    .orderBy(desc(tables.apiKeys.createdAt), desc(tables.apiKeys.id))
    .limit(page.limit + 1)
    .offset(page.offset);
  return { keys: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
}

/** The agents a key of the organisation may be limited to, by name (as many as a key may name, and a few more to choose from). */
export function keyAgentChoices(db: Db, orgId: string): Promise<Array<{ id: string; publicId: string; name: string | null }>> {
  return db
    .select({ id: tables.agents.id, publicId: tables.agents.publicId, name: tables.agents.name })
    .from(tables.agents)
    .where(eq(tables.agents.orgId, orgId))
    .orderBy(asc(tables.agents.name), asc(tables.agents.createdAt))
    .limit(MAX_KEY_AGENTS * 5);
}

export type KeyStatus = "active" | "revoked" | "expired";

/** As every surface judges the key: a revocation wins over an expiry. */
export function keyStatus(key: Pick<ApiKey, "revokedAt" | "expiresAt">, at: Date = now()): KeyStatus {
  if (key.revokedAt) return "revoked";
  if (key.expiresAt && key.expiresAt.getTime() <= at.getTime()) return "expired";
  return "active";
}

/** Another organisation's key is not found; a colleague's key is found but not yours. */
export async function getManagedKey(db: Db, user: KeyOwner, publicId: string): Promise<ApiKey> {
  const [key] = await db
    .select()
    .from(tables.apiKeys)
    .where(and(eq(tables.apiKeys.orgId, user.orgId), eq(tables.apiKeys.publicId, publicId)))
    .limit(1);
  if (!key) throw notFound("API key");
  if (key.createdByUserId !== user.userId) throw new ApiError("KEY_OWNER_MISMATCH", "This API key does not belong to you");
  return key;
}

export async function updateManagedKey(db: Db, user: KeyOwner, publicId: string, body: z.output<typeof UpdateApiKeyRequest>) {
  const current = await getManagedKey(db, user, publicId);
  if (current.revokedAt) throw new ApiError("KEY_REVOKED", "This API key has been revoked");
  const budget = body.budget_usd_cents === undefined ? current.budgetUsdCents : body.budget_usd_cents;
  const agentIds = body.agent_ids === undefined ? current.agentIds : body.agent_ids && (await keyAgentIds(db, user.orgId, body.agent_ids));
  const [key] = await db
    .update(tables.apiKeys)
    .set({
      name: body.label ?? current.name,
      agentIds,
      responseUrl: body.response_url === undefined ? current.responseUrl : body.response_url,
      budgetUsdCents: budget,
      budgetPeriod: periodFor(budget, body.budget_period === undefined ? current.budgetPeriod : body.budget_period),
    })
    .where(eq(tables.apiKeys.id, current.id))
    .returning();
  forgetCachedKey(current.hash);
  return key!;
}

/**
 * A new secret for a key: the old one stops working at once on this instance (within
 * KEY_CACHE_TTL_MS on others, as for a revocation); the key keeps its id, budget, spend,
 * webhook, signing secret and agents.
 */
export async function rotateManagedKey(db: Db, user: KeyOwner, publicId: string): Promise<{ record: ApiKey; secret: string }> {
  const current = await getManagedKey(db, user, publicId);
  if (current.revokedAt) throw new ApiError("KEY_REVOKED", "This API key has been revoked");
  const rotated = await rotateApiKey(db, current);
  if (!rotated) throw new ApiError("CONFLICT", "This API key was rotated or revoked at the same time; fetch it and try again");
  return rotated;
}

export async function revokeManagedKey(db: Db, user: KeyOwner, publicId: string): Promise<ApiKey> {
  const current = await getManagedKey(db, user, publicId);
  const [key] = await db
    .update(tables.apiKeys)
    .set({ revokedAt: current.revokedAt ?? new Date() })
    .where(eq(tables.apiKeys.id, current.id))
    .returning();
  forgetCachedKey(current.hash);
  return key!;
}

/** The public ids of the agents some keys are limited to, by UUID (agents deleted since are absent). */
async function agentPublicIds(db: Db, keys: ApiKey[]): Promise<Map<string, string>> {
  const ids = [...new Set(keys.flatMap((key) => key.agentIds ?? []))];
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: tables.agents.id, publicId: tables.agents.publicId })
    .from(tables.agents)
    .where(and(eq(tables.agents.orgId, keys[0]!.orgId), inArray(tables.agents.id, ids)));
  return new Map(rows.map((row) => [row.id, row.publicId]));
}

function serializeWith(key: ApiKey, agents: Map<string, string>): ApiKeyResponse {
  return {
    id: key.publicId,
    label: key.name,
    start: key.start,
    last4: key.last4,
    agent_ids: key.agentIds && key.agentIds.flatMap((id) => agents.get(id) ?? []),
    response_url: key.responseUrl,
    budget_usd_cents: key.budgetUsdCents,
    budget_period: key.budgetPeriod,
    created_at: key.createdAt.toISOString(),
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}

/** Keys as the API shows them, in the order given (all of one organisation). */
export async function serializeManagedKeys(db: Db, keys: ApiKey[]): Promise<ApiKeyResponse[]> {
  const agents = await agentPublicIds(db, keys);
  return keys.map((key) => serializeWith(key, agents));
}

export async function serializeManagedKey(db: Db, key: ApiKey): Promise<ApiKeyResponse> {
  return serializeWith(key, await agentPublicIds(db, [key]));
}

async function usageOf(key: ApiKey): Promise<ApiKeyDetailsResponse["usage"]> {
  const usage = await keySpendFor({ id: key.id, budgetPeriod: key.budgetPeriod });
  const spent = microcentsToCents(usage.spentMicrocents);
  return {
    period_start: usage.periodStart.toISOString(),
    spent_usd_cents: spent,
    reserved_usd_cents: microcentsToCents(usage.reservedMicrocents),
    remaining_usd_cents: key.budgetUsdCents === null ? null : Math.max(0, Math.round((key.budgetUsdCents - spent) * 100) / 100),
    requests: usage.requests,
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
  };
}

/** Details with usage in the current budget period. */
export async function managedKeyDetails(db: Db, key: ApiKey): Promise<ApiKeyDetailsResponse> {
  return { ...(await serializeManagedKey(db, key)), usage: await usageOf(key) };
}

/** Details of several keys of one organisation, in the order given (one agent lookup for all). */
export async function managedKeysDetails(db: Db, keys: ApiKey[]): Promise<ApiKeyDetailsResponse[]> {
  const [serialized, usages] = await Promise.all([serializeManagedKeys(db, keys), Promise.all(keys.map(usageOf))]);
  return serialized.map((key, index) => ({ ...key, usage: usages[index]! }));
}

// The names route handlers import today; new code uses the names above.
export { CreateApiKeyRequest as createManagedKeyRequest, UpdateApiKeyRequest as updateManagedKeyRequest };
