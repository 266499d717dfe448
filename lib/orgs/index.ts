import { eq } from "drizzle-orm";
import { randomString, tables, type Db, type Organisation, type User } from "@/lib/db";

function slugify(name: string): string {
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40);
  // A short random suffix keeps slugs unique without a read-before-write race.
  return `${base || "org"}-${randomString(6).toLowerCase()}`;
}

export async function createOrganisation(db: Db, input: { name: string; apiChannelEnabled?: boolean }): Promise<Organisation> {
  const [org] = await db
    .insert(tables.organisations)
    .values({ name: input.name, slug: slugify(input.name), apiChannelEnabled: input.apiChannelEnabled ?? true })
    .returning();
  if (!org) throw new Error("organisation insert returned no row");
  return org;
}

export async function setApiChannelEnabled(db: Db, orgId: string, enabled: boolean): Promise<void> {
  await db
    .update(tables.organisations)
    .set({ apiChannelEnabled: enabled, updatedAt: new Date() })
    .where(eq(tables.organisations.id, orgId));
}

/** Takes a hash (see lib/crypto/passwords), made before any transaction: hashing takes ~0.5 s. */
export async function createUser(db: Db, input: { email: string; name: string; passwordHash: string }): Promise<User> {
  const [user] = await db
    .insert(tables.users)
    .values({ email: input.email.toLowerCase(), name: input.name, passwordHash: input.passwordHash })
    .returning();
  if (!user) throw new Error("user insert returned no row");
  return user;
}

export async function addMember(
  db: Db,
  orgId: string,
  userId: string,
  role: (typeof tables.memberships.$inferInsert)["role"],
): Promise<void> {
  await db.insert(tables.memberships).values({ orgId, userId, role });
}

export { listMembers, countMembers, changeMemberRole, removeMember, type OrgMember } from "./members";
export {
  createInvitation,
  listPendingInvitations,
  revokeInvitation,
  lookUpInvitation,
  invitationRefusal,
  acceptInvitation,
  type InvitationLookup,
} from "./invitations";

/**
 * A new user who owns a new organisation: sign-up, a first sign-in through GitHub or OIDC, and
 * the seeded demo. Run it inside the caller's transaction, so neither exists without the other.
 */
export async function createOwner(
  db: Db,
  input: { email: string; name: string; passwordHash: string; organisation: string },
): Promise<{ user: User; org: Organisation }> {
  const user = await createUser(db, input);
  const org = await createOrganisation(db, { name: input.organisation });
  await addMember(db, org.id, user.id, "owner");
  return { user, org };
}
