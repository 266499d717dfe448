import { and, asc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { PersonalTokenResponse } from "@/lib/contracts";
import { tables, type Db, type UserToken } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { now } from "@/lib/runtime/clock";
import { createUserToken, forgetCachedToken, type TokenUser } from "./user-tokens";

export const CreatePersonalTokenRequest = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'A name to recognise the token by; "Personal access token" if absent' }),
  expires_at: z.iso
    .datetime({ offset: true, error: "expires_at must be an ISO 8601 date-time, e.g. 2030-01-31T00:00:00Z" })
    .nullable()
    .optional()
    .meta({ description: "When the token stops working; null or absent: never" }),
});

/** A new token for the caller, in the organisation the calling token belongs to. */
export async function createPersonalToken(db: Db, user: TokenUser, body: z.output<typeof CreatePersonalTokenRequest>) {
  const expiresAt = body.expires_at ? new Date(body.expires_at) : null;
  if (expiresAt && expiresAt.getTime() <= now().getTime()) {
    throw new ApiError("VALIDATION_FAILED", "expires_at must be in the future");
  }
  return createUserToken(db, { userId: user.userId, orgId: user.orgId, name: body.name ?? "Personal access token", expiresAt });
}

/** The caller's own tokens in this organisation, revoked ones included; nobody lists another user's. */
export function listPersonalTokens(db: Db, user: TokenUser): Promise<UserToken[]> {
  return db
    .select()
    .from(tables.userTokens)
    .where(and(eq(tables.userTokens.orgId, user.orgId), eq(tables.userTokens.userId, user.userId)))
    .orderBy(asc(tables.userTokens.createdAt));
}

/** One of the caller's tokens; anyone else's, a colleague's too, is not found. */
export async function getPersonalToken(db: Db, user: TokenUser, publicId: string): Promise<UserToken> {
  const [token] = await db
    .select()
    .from(tables.userTokens)
    .where(
      and(eq(tables.userTokens.orgId, user.orgId), eq(tables.userTokens.userId, user.userId), eq(tables.userTokens.publicId, publicId)),
    )
    .limit(1);
  if (!token) throw notFound("Personal access token");
  return token;
}

/** Revokes one of the caller's tokens (the calling one too): it stops at once on this instance. */
export async function revokePersonalToken(db: Db, user: TokenUser, publicId: string): Promise<UserToken> {
  const current = await getPersonalToken(db, user, publicId);
  const [revoked] = await db
    .update(tables.userTokens)
    .set({ revokedAt: now() })
    .where(and(eq(tables.userTokens.id, current.id), isNull(tables.userTokens.revokedAt)))
    .returning();
  forgetCachedToken(current.hash);
  return revoked ?? current;
}

export function serializePersonalToken(token: UserToken): PersonalTokenResponse {
  return {
    id: token.publicId,
    name: token.name,
    start: token.start,
    last4: token.last4,
    created_at: token.createdAt.toISOString(),
    last_used_at: token.lastUsedAt?.toISOString() ?? null,
    expires_at: token.expiresAt?.toISOString() ?? null,
    revoked_at: token.revokedAt?.toISOString() ?? null,
  };
}
