import { and, eq, isNull } from "drizzle-orm";
import { TtlCache } from "@/lib/cache/ttl-cache";
import { config } from "@/lib/config";
import { sha256Hex } from "@/lib/crypto";
import { newSecret, secretShape } from "@/lib/crypto/secrets";
import { getDb, newPublicId, noteLastUsed, tables, type Db, type UserToken } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import type { RequestContext } from "@/lib/http";
import { assertIpNotBlocked, recordFailedAuth } from "@/lib/ratelimit";
import { now } from "@/lib/runtime/clock";
import { processSingleton } from "@/lib/runtime/singleton";
import { bearerToken } from "./bearer";

/** Personal access tokens look different from API keys, so neither is mistaken for the other. */
export const USER_TOKEN_PREFIX = "cdtu_";
const TOKEN_SHAPE = secretShape(USER_TOKEN_PREFIX);

/** A member's role in their organisation, as memberships store it. */
export type MemberRole = "owner" | "admin" | "member" | "reviewer";

export interface TokenUser {
  userId: string;
  orgId: string;
  role: MemberRole;
}

/** Who may call a personal-token route: every route declares it (see the README's role matrix). */
export interface RoleRule {
  roles: readonly MemberRole[];
}

/** Everyone in the organisation, reviewers included: reading it, reviewing, one's own tokens. */
export const ANY_ROLE = ["owner", "admin", "member", "reviewer"] as const satisfies readonly MemberRole[];
/** Members who use agents (keys, tasks, tools); reviewers only review. */
export const ANY_MEMBER = ["owner", "admin", "member"] as const satisfies readonly MemberRole[];
/** Spending, credentials and organisation settings: owners and admins only. */
export const OWNERS_AND_ADMINS = ["owner", "admin"] as const satisfies readonly MemberRole[];

/** A personal access token as stored, with the secret shown to its creator once. */
export interface CreatedUserToken {
  record: UserToken;
  secret: string;
}

/** Creates a personal access token for a member of an organisation; the secret is shown once. */
export async function createUserToken(
  db: Db,
  input: { userId: string; orgId: string; name: string; expiresAt?: Date | null },
): Promise<CreatedUserToken> {
  const { secret, hash, start } = newSecret(USER_TOKEN_PREFIX);
  const [record] = await db
    .insert(tables.userTokens)
    .values({
      publicId: newPublicId("userToken"),
      userId: input.userId,
      orgId: input.orgId,
      name: input.name,
      hash,
      start,
      last4: secret.slice(-4),
      expiresAt: input.expiresAt ?? null,
    })
    .returning();
  if (!record) throw new Error("Personal access token insert returned no row");
  return { record, secret };
}

/** A token as authentication sees it: its user and role, and when it stops working. */
interface LoadedToken extends TokenUser {
  tokenId: string;
  expiresAt: Date | null;
}

const tokenCache = () => processSingleton("user-tokens:cache", () => new TtlCache<LoadedToken | null>(config().KEY_CACHE_TTL_MS));

async function loadToken(hash: string): Promise<LoadedToken | null> {
  const db = await getDb();
  const [row] = await db
    .select({
      tokenId: tables.userTokens.id,
      expiresAt: tables.userTokens.expiresAt,
      userId: tables.userTokens.userId,
      orgId: tables.userTokens.orgId,
      role: tables.memberships.role,
    })
    .from(tables.userTokens)
    .innerJoin(
      tables.memberships,
      and(eq(tables.memberships.userId, tables.userTokens.userId), eq(tables.memberships.orgId, tables.userTokens.orgId)),
    )
    .where(and(eq(tables.userTokens.hash, hash), isNull(tables.userTokens.revokedAt)))
    .limit(1);
  return row ?? null;
}

/** Drops a token from this process's cache after it was revoked: it stops working here at once. */
export function forgetCachedToken(hash: string): void {
  tokenCache().delete(hash);
}

/** Forgets every cached token after memberships changed: a new role or a removal holds here at once. */
export function forgetCachedTokens(): void {
  tokenCache().clear();
}

/** The token behind a secret, or null when it is unknown, revoked or its user left the organisation. */
async function resolveUserToken(secret: string): Promise<LoadedToken | null> {
  if (!TOKEN_SHAPE.test(secret)) return null;
  const hash = sha256Hex(secret);
  return tokenCache().get(hash, () => loadToken(hash));
}

/**
 * `Authorization: Bearer <personal access token>`; failures count against the caller's IP. A
 * member whose role the route does not admit is a 403, before the route reads anything.
 */
export async function authenticateUser(request: Request, context: RequestContext, rule: RoleRule): Promise<TokenUser> {
  assertIpNotBlocked(context.ip);
  const secret = bearerToken(request);
  const token = secret ? await resolveUserToken(secret) : null;
  if (!token) {
    await recordFailedAuth(context.ip);
    throw new ApiError("UNAUTHENTICATED", secret ? "Invalid access token" : "Missing access token: send Authorization: Bearer <token>");
  }
  // A real token past its expiry is no guess: it is refused with the reason, not counted against the IP.
  if (token.expiresAt && token.expiresAt.getTime() <= now().getTime()) {
    throw new ApiError("UNAUTHENTICATED", `This access token expired at ${token.expiresAt.toISOString()}`);
  }
  if (!rule.roles.includes(token.role)) {
    throw new ApiError("FORBIDDEN", `This needs the role ${rule.roles.join(" or ")}; your role is ${token.role}`);
  }
  noteLastUsed("userTokens", token.tokenId);
  return { userId: token.userId, orgId: token.orgId, role: token.role };
}
