import { and, desc, eq, gt, isNull } from "drizzle-orm";
import type { MemberRole, TokenUser } from "@/lib/auth/user-tokens";
import { sha256Hex } from "@/lib/crypto";
import { newSecret, secretShape } from "@/lib/crypto/secrets";
import { newPublicId, tables, type Db, type Invitation } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { now } from "@/lib/runtime/clock";
import { INVITATION_TTL_DAYS } from "./schemas";

/** The token in an invitation link (`/invite/{token}`); only its sha256 is stored. */
const INVITATION_PREFIX = "cdti_";
const TOKEN_SHAPE = secretShape(INVITATION_PREFIX);

const DAY_MS = 24 * 60 * 60 * 1000;

/** Creates an invitation; the link's token is returned once and cannot be read back. */
export async function createInvitation(
  db: Db,
  actor: TokenUser,
  input: { email: string; role: MemberRole },
): Promise<{ invitation: Invitation; token: string }> {
  if (actor.role !== "owner" && actor.role !== "admin") {
    throw new ApiError("FORBIDDEN", `This needs the role owner or admin; your role is ${actor.role}`);
  }
  if (input.role === "owner" && actor.role !== "owner") throw new ApiError("FORBIDDEN", "Only an owner can invite an owner");
  const email = input.email.trim().toLowerCase();
  const [member] = await db
    .select({ userId: tables.memberships.userId })
    .from(tables.memberships)
    .innerJoin(tables.users, eq(tables.users.id, tables.memberships.userId))
    .where(and(eq(tables.memberships.orgId, actor.orgId), eq(tables.users.email, email)))
    .limit(1);
  if (member) throw new ApiError("CONFLICT", `${email} is already a member of this organisation`);
  const { secret, hash } = newSecret(INVITATION_PREFIX);
  const invitation = await db.transaction(async (tx) => {
    // One working link per address: a new invitation replaces a pending one (e.g. with another role).
    await tx
      .update(tables.invitations)
      .set({ revokedAt: now() })
      .where(and(eq(tables.invitations.orgId, actor.orgId), eq(tables.invitations.email, email), pending()));
    const [row] = await tx
      .insert(tables.invitations)
      .values({
        publicId: newPublicId("invitation"),
        orgId: actor.orgId,
        email,
        role: input.role,
        tokenHash: hash,
        invitedBy: actor.userId,
        expiresAt: new Date(now().getTime() + INVITATION_TTL_DAYS * DAY_MS),
      })
      .returning();
    if (!row) throw new Error("invitation insert returned no row");
    return row;
  });
  return { invitation, token: secret };
}

/** Not used, not revoked, not expired (by the clock expiry reads everywhere, see lib/runtime/clock). */
function pending() {
  return and(isNull(tables.invitations.acceptedAt), isNull(tables.invitations.revokedAt), gt(tables.invitations.expiresAt, now()));
}

/** The invitations whose links still work, newest first. */
export function listPendingInvitations(db: Db, orgId: string, page: { limit: number; offset: number }): Promise<Invitation[]> {
  return db
    .select()
    .from(tables.invitations)
    .where(and(eq(tables.invitations.orgId, orgId), pending()))
    .orderBy(desc(tables.invitations.createdAt), desc(tables.invitations.id))
    .limit(page.limit)
    .offset(page.offset);
}

/** Stops a pending invitation's link from working; the same rule as creating it decides who may. */
export async function revokeInvitation(db: Db, actor: TokenUser, publicId: string): Promise<void> {
  if (actor.role !== "owner" && actor.role !== "admin") {
    throw new ApiError("FORBIDDEN", `This needs the role owner or admin; your role is ${actor.role}`);
  }
  const [invitation] = await db
    .select({ role: tables.invitations.role })
    .from(tables.invitations)
    .where(and(eq(tables.invitations.orgId, actor.orgId), eq(tables.invitations.publicId, publicId), pending()))
    .limit(1);
  if (!invitation) throw notFound("Pending invitation");
  if (invitation.role === "owner" && actor.role !== "owner")
    throw new ApiError("FORBIDDEN", "Only an owner can revoke an owner's invitation");
  await db
    .update(tables.invitations)
    .set({ revokedAt: now() })
    .where(and(eq(tables.invitations.orgId, actor.orgId), eq(tables.invitations.publicId, publicId)));
}

/** What an invitation link leads to, as its page shows it. */
export type InvitationLookup =
  | { status: "pending"; email: string; role: MemberRole; orgId: string; orgName: string; expiresAt: Date }
  | { status: "used" | "revoked" | "unknown" }
  | { status: "expired"; expiredAt: Date };

export async function lookUpInvitation(db: Db, token: string): Promise<InvitationLookup> {
  if (!TOKEN_SHAPE.test(token)) return { status: "unknown" };
  const [row] = await db
    .select({ invitation: tables.invitations, orgName: tables.organisations.name })
    .from(tables.invitations)
    .innerJoin(tables.organisations, eq(tables.organisations.id, tables.invitations.orgId))
    .where(eq(tables.invitations.tokenHash, sha256Hex(token)))
    .limit(1);
  if (!row) return { status: "unknown" };
  const { invitation } = row;
  if (invitation.acceptedAt) return { status: "used" };
  if (invitation.revokedAt) return { status: "revoked" };
  if (invitation.expiresAt.getTime() <= now().getTime()) return { status: "expired", expiredAt: invitation.expiresAt };
  return {
    status: "pending",
    email: invitation.email,
    role: invitation.role,
    orgId: invitation.orgId,
    orgName: row.orgName,
    expiresAt: invitation.expiresAt,
  };
}

/** Why a link was refused, in words for its page and the sign-up form. */
export function invitationRefusal(lookup: Exclude<InvitationLookup, { status: "pending" }>): string {
  switch (lookup.status) {
    case "used":
      return "This invitation has already been used. Each link works once; ask for a new one if you still need to join.";
    case "revoked":
      return "This invitation was withdrawn. Ask an owner or admin of the organisation for a new one.";
    case "expired":
      return `This invitation expired on ${lookup.expiredAt.toISOString().slice(0, 10)}. Ask an owner or admin of the organisation for a new one.`;
    case "unknown":
      return "This link is not a valid invitation. Check that you copied all of it.";
  }
}

/**
 * Joins a user to the inviting organisation with the invited role. The link is spent in the same
 * statement that checks it is still pending, so two uses racing cannot both succeed; the user's
 * email must be the invited one. Runs in the caller's transaction when given one (sign-up).
 */
export async function acceptInvitation(
  db: Db,
  token: string,
  user: { userId: string; email: string },
): Promise<{ orgId: string; role: MemberRole }> {
  const lookup = await lookUpInvitation(db, token);
  if (lookup.status !== "pending") throw new ApiError("BAD_REQUEST", invitationRefusal(lookup));
  if (lookup.email !== user.email.toLowerCase()) {
    throw new ApiError("FORBIDDEN", `This invitation is for ${lookup.email}; you are signed in as ${user.email}`);
  }
  return db.transaction(async (tx) => {
    const [spent] = await tx
      .update(tables.invitations)
      .set({ acceptedAt: now(), acceptedBy: user.userId })
      .where(and(eq(tables.invitations.tokenHash, sha256Hex(token)), pending()))
      .returning({ orgId: tables.invitations.orgId, role: tables.invitations.role });
    if (!spent) throw new ApiError("BAD_REQUEST", invitationRefusal({ status: "used" }));
    const joined = await tx
      .insert(tables.memberships)
      .values({ orgId: spent.orgId, userId: user.userId, role: spent.role })
      .onConflictDoNothing()
      .returning({ orgId: tables.memberships.orgId });
    if (joined.length === 0) throw new ApiError("CONFLICT", `You are already a member of ${lookup.orgName}`);
    return spent;
  });
}
