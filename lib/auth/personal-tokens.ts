import { and, asc, desc, eq, isNull } from "drizzle-orm";
import type { z } from "zod";
import type { PersonalTokenResponse } from "@/lib/contracts";
import { tables, type Db, type UserToken } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { now } from "@/lib/runtime/clock";
import { CreatePersonalTokenRequest } from "./token-schemas";
import { createUserToken, forgetCachedToken, type TokenUser } from "./user-tokens";

export { CreatePersonalTokenRequest };

/** A new token for the caller, in the organisation the calling token belongs to. */
export async function createPersonalToken(db: Db, user: TokenUser, body: z.output<typeof CreatePersonalTokenRequest>) {
  const expiresAt = body.expires_at ? new Date(body.expires_at) : null;
  if (expiresAt && expiresAt.getTime() <= now().getTime()) {
    throw new ApiError("VALIDATION_FAILED", "expires_at must be in the future");
  }
  return createUserToken(db, { userId: user.userId, orgId: user.orgId, name: body.name ?? "Personal access token", expiresAt });
}

/** Whose tokens a user sees: their own in this organisation, whatever their role. */
const ownTokens = (user: Pick<TokenUser, "userId" | "orgId">) =>
  and(eq(tables.userTokens.orgId, user.orgId), eq(tables.userTokens.userId, user.userId));

/** The caller's own tokens in this organisation, revoked ones included; nobody lists another user's. */
export function listPersonalTokens(db: Db, user: TokenUser): Promise<UserToken[]> {
  return db.select().from(tables.userTokens).where(ownTokens(user)).orderBy(asc(tables.userTokens.createdAt));
}

/** A page of the caller's tokens, newest first; `hasMore` says whether another page follows. */
export async function pageOfPersonalTokens(
  db: Db,
  user: TokenUser,
  page: { limit: number; offset: number },
): Promise<{ tokens: UserToken[]; hasMore: boolean }> {
  const rows = await db
    .select()
    .from(tables.userTokens)
    .where(ownTokens(user))
    .orderBy(desc(tables.userTokens.createdAt), desc(tables.userTokens.id))
    .limit(page.limit + 1)
    .offset(page.offset);
  return { tokens: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
}

/** One of the caller's tokens; anyone else's, a colleague's too, is not found. */
export async function getPersonalToken(db: Db, user: TokenUser, publicId: string): Promise<UserToken> {
  const [token] = await db
    .select()
    .from(tables.userTokens)
    .where(and(ownTokens(user), eq(tables.userTokens.publicId, publicId)))
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
