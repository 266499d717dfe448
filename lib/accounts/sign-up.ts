import { eq } from "drizzle-orm";
import { hashPassword } from "@/lib/crypto/passwords";
import { tables, type Db } from "@/lib/db";
import { ApiError, isUniqueViolation } from "@/lib/errors";
import { acceptInvitation, createOwner, createUser, invitationRefusal, lookUpInvitation } from "@/lib/orgs";
import type { InvitedSignUpRequest, SignUpRequest } from "./schemas";

export type SignUpOutcome =
  { status: "created"; userId: string; orgId: string } | { status: "email-taken" } | { status: "invitation-refused"; reason: string };

/**
 * Creates a user and their organisation, the user its owner; all or nothing. With an invitation
 * the user joins the inviting organisation in its role instead, and no organisation is made; the
 * email must be the invited one, and if the invitation cannot be spent no user is created.
 */
export async function signUp(db: Db, input: SignUpRequest | InvitedSignUpRequest): Promise<SignUpOutcome> {
  const [existing] = await db.select({ id: tables.users.id }).from(tables.users).where(eq(tables.users.email, input.email)).limit(1);
  if (existing) return { status: "email-taken" };
  if ("invitation" in input) {
    // Refused before the slow password hash: a spent or foreign link needs no account.
    const lookup = await lookUpInvitation(db, input.invitation);
    if (lookup.status !== "pending") return { status: "invitation-refused", reason: invitationRefusal(lookup) };
    if (lookup.email !== input.email) return { status: "invitation-refused", reason: `This invitation is for ${lookup.email}` };
  }
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction(async (tx) => {
      if ("invitation" in input) {
        const user = await createUser(tx, { email: input.email, name: input.name, passwordHash });
        const joined = await acceptInvitation(tx, input.invitation, { userId: user.id, email: user.email });
        return { status: "created" as const, userId: user.id, orgId: joined.orgId };
      }
      const { user, org } = await createOwner(tx, { email: input.email, name: input.name, passwordHash, organisation: input.organisation });
      return { status: "created" as const, userId: user.id, orgId: org.id };
    });
  } catch (error) {
    // Two sign-ups racing for one email: the unique index decides, the loser is told plainly.
    if (isUniqueViolation(error)) return { status: "email-taken" };
    // The link was spent or withdrawn while the password was hashed: the user was rolled back.
    if (error instanceof ApiError && error.status < 500) return { status: "invitation-refused", reason: error.message };
    throw error;
  }
}
