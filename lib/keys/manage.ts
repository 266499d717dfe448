import { randomBytes } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { keySpendFor, microcentsToCents } from "@/lib/billing";
import { encryptSecret } from "@/lib/crypto";
import { tables, type ApiKey, type Db } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import type { ApiKeyDetailsResponse, ApiKeyResponse } from "@/lib/contracts";
import { integerField } from "@/lib/http";
import { createApiKey, forgetCachedKey } from "./index";

/** The user managing their keys (an authenticated token's user fits); keys are theirs within one organisation. */
interface KeyOwner {
  userId: string;
  orgId: string;
}

const keySettings = {
  label: z.string().trim().min(1).max(200),
  response_url: z.url({ protocol: /^https?$/, error: "response_url must be an http(s) URL" }),
  budget_usd_cents: integerField(),
  budget_period: z.enum(["daily", "monthly", "total"], { error: "budget_period must be daily, monthly or total" }),
};

export const CreateApiKeyRequest = z.object({
  label: keySettings.label.optional(),
  response_url: keySettings.response_url.nullable().optional(),
  budget_usd_cents: keySettings.budget_usd_cents.nullable().optional(),
  budget_period: keySettings.budget_period.nullable().optional(),
});

export const UpdateApiKeyRequest = CreateApiKeyRequest.meta({ description: "Only the fields sent change" });

/** A budget without a period never resets. */
function periodFor(budget: number | null | undefined, period: string | null | undefined) {
  if (budget === null || budget === undefined) return null;
  return (period ?? "total") as "daily" | "monthly" | "total";
}

/** One transaction: a key whose settings could not be stored must not be left behind without its budget. */
export async function createManagedKey(db: Db, user: KeyOwner, body: z.output<typeof CreateApiKeyRequest>) {
  const signingSecret = `whsec_${randomBytes(24).toString("base64url")}`;
  return db.transaction(async (tx) => {
    const { secret, record } = await createApiKey(tx, {
      orgId: user.orgId,
      name: body.label ?? "API key",
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

export function listManagedKeys(db: Db, user: KeyOwner): Promise<ApiKey[]> {
  return db
    .select()
    .from(tables.apiKeys)
    .where(and(eq(tables.apiKeys.orgId, user.orgId), eq(tables.apiKeys.createdByUserId, user.userId)))
    .orderBy(asc(tables.apiKeys.createdAt));
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
  const [key] = await db
    .update(tables.apiKeys)
    .set({
      name: body.label ?? current.name,
      responseUrl: body.response_url === undefined ? current.responseUrl : body.response_url,
      budgetUsdCents: budget,
      budgetPeriod: periodFor(budget, body.budget_period === undefined ? current.budgetPeriod : body.budget_period),
    })
    .where(eq(tables.apiKeys.id, current.id))
    .returning();
  forgetCachedKey(current.hash);
  return key!;
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

export function serializeManagedKey(key: ApiKey): ApiKeyResponse {
  return {
    id: key.publicId,
    label: key.name,
    start: key.start,
    last4: key.last4,
    response_url: key.responseUrl,
    budget_usd_cents: key.budgetUsdCents,
    budget_period: key.budgetPeriod,
    created_at: key.createdAt.toISOString(),
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}

/** Details with usage in the current budget period. */
export async function managedKeyDetails(key: ApiKey): Promise<ApiKeyDetailsResponse> {
  const usage = await keySpendFor({ id: key.id, budgetPeriod: key.budgetPeriod });
  const spent = microcentsToCents(usage.spentMicrocents);
  return {
    ...serializeManagedKey(key),
    usage: {
      period_start: usage.periodStart.toISOString(),
      spent_usd_cents: spent,
      reserved_usd_cents: microcentsToCents(usage.reservedMicrocents),
      remaining_usd_cents: key.budgetUsdCents === null ? null : Math.max(0, Math.round((key.budgetUsdCents - spent) * 100) / 100),
      requests: usage.requests,
      input_tokens: usage.inputTokens,
      output_tokens: usage.outputTokens,
    },
  };
}

// The names route handlers import today; new code uses the names above.
export { CreateApiKeyRequest as createManagedKeyRequest, UpdateApiKeyRequest as updateManagedKeyRequest };
