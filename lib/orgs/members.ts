import { and, asc, count, eq, isNull } from "drizzle-orm";
import { forgetCachedTokens, type MemberRole, type TokenUser } from "@/lib/auth/user-tokens";
import { tables, type Db } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";

export interface OrgMember {
  userId: string;
  name: string;
  email: string;
  role: MemberRole;
  joinedAt: Date;
}

/** The organisation's members, longest-standing first. */
export function listMembers(db: Db, orgId: string, page: { limit: number; offset: number }): Promise<OrgMember[]> {
  return db
    .select({
      userId: tables.users.id,
      name: tables.users.name,
      email: tables.users.email,
      role: tables.memberships.role,
      joinedAt: tables.memberships.createdAt,
    })
    .from(tables.memberships)
    .innerJoin(tables.users, eq(tables.users.id, tables.memberships.userId))
    .where(eq(tables.memberships.orgId, orgId))
    .orderBy(asc(tables.memberships.createdAt), asc(tables.users.id))
    .limit(page.limit)
    .offset(page.offset);
}

export async function countMembers(db: Db, orgId: string): Promise<number> {
  const [row] = await db.select({ members: count() }).from(tables.memberships).where(eq(tables.memberships.orgId, orgId));
  return row?.members ?? 0;
}

/**
 * The rules every change of membership follows, whoever asks: only owners and admins change
 * memberships; only an owner makes or unmakes an owner; the organisation keeps at least one owner
 * (so the last owner can neither step down nor leave). The owners' rows are locked first, so two
 * owners demoting each other at once cannot both succeed.
 */
async function changeMembership(db: Db, actor: TokenUser, userId: string, next: MemberRole | "removed"): Promise<void> {
  if (actor.role !== "owner" && actor.role !== "admin") {
    throw new ApiError("FORBIDDEN", `This needs the role owner or admin; your role is ${actor.role}`);
  }
  await db.transaction(async (tx) => {
    const owners = await tx
      .select({ userId: tables.memberships.userId })
      .from(tables.memberships)
      .where(and(eq(tables.memberships.orgId, actor.orgId), eq(tables.memberships.role, "owner")))
      .for("update");
    const [target] = await tx
      .select({ role: tables.memberships.role })
      .from(tables.memberships)
      .where(and(eq(tables.memberships.orgId, actor.orgId), eq(tables.memberships.userId, userId)))
      .for("update");
    if (!target) throw notFound("Member");
    if (target.role === next) return;
    if ((target.role === "owner" || next === "owner") && actor.role !== "owner") {
      throw new ApiError("FORBIDDEN", "Only an owner can make or unmake an owner");
    }
    if (target.role === "owner" && owners.length <= 1) {
      throw new ApiError(
        "CONFLICT",
        next === "removed"
          ? "The organisation's last owner cannot leave it: make another member owner first"
          : "The organisation must keep at least one owner: make another member owner first",
      );
    }
    const membership = and(eq(tables.memberships.orgId, actor.orgId), eq(tables.memberships.userId, userId));
    if (next === "removed") {
      await tx.delete(tables.memberships).where(membership);
      // Rejoining later must not bring old tokens back to life.
      await tx
        .update(tables.userTokens)
        .set({ revokedAt: new Date() })
        .where(and(eq(tables.userTokens.orgId, actor.orgId), eq(tables.userTokens.userId, userId), isNull(tables.userTokens.revokedAt)));
    } else {
      await tx.update(tables.memberships).set({ role: next }).where(membership);
    }
  });
  // Tokens carry their role in the cache: the change holds on this instance at once.
  forgetCachedTokens();
}

export function changeMemberRole(db: Db, actor: TokenUser, userId: string, role: MemberRole): Promise<void> {
  return changeMembership(db, actor, userId, role);
}

/** Removes a member (or lets an owner or admin leave); their personal access tokens for the organisation are revoked. */
export function removeMember(db: Db, actor: TokenUser, userId: string): Promise<void> {
  return changeMembership(db, actor, userId, "removed");
}
