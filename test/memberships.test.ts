/**
 * Memberships and invitations as the settings pages use them: the owner rules (at least one
 * owner, only owners make or unmake owners, the last owner cannot step down or leave), removal
 * revoking the member's tokens, and invitation links that work once, for one email, until they
 * expire or are revoked; sign-up through a link joins the inviting organisation.
 */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { membershipOf, signUp } from "@/lib/accounts";
import { createUserToken, type MemberRole } from "@/lib/auth/user-tokens";
import { tables, type Db } from "@/lib/db";
import {
  acceptInvitation,
  addMember,
  changeMemberRole,
  createInvitation,
  createOrganisation,
  createUser,
  lookUpInvitation,
  removeMember,
  revokeInvitation,
} from "@/lib/orgs";
import { withDatabase } from "./support/database";

async function person(db: Db, orgId: string, role: MemberRole, label: string) {
  const user = await createUser(db, { email: `${label}@members.test`, name: label, passwordHash: "unused" });
  await addMember(db, orgId, user.id, role);
  return { userId: user.id, orgId, role, email: user.email };
}

const roleOf = async (db: Db, userId: string, orgId: string) => (await membershipOf(db, userId, orgId))?.role;

describe("memberships", () => {
  it("keeps an owner, lets only owners touch owners, and revokes a removed member's tokens", async () => {
    await withDatabase(async (db) => {
      const org = await createOrganisation(db, { name: "Rules" });
      const owner = await person(db, org.id, "owner", "owner");
      const admin = await person(db, org.id, "admin", "admin");
      const member = await person(db, org.id, "member", "member");

      await expect(changeMemberRole(db, owner, owner.userId, "admin")).rejects.toThrow(/at least one owner/);
      await expect(removeMember(db, owner, owner.userId)).rejects.toThrow(/last owner/);
      await expect(changeMemberRole(db, admin, member.userId, "owner")).rejects.toThrow(/Only an owner/);
      await expect(changeMemberRole(db, admin, owner.userId, "member")).rejects.toThrow(/Only an owner/);
      await expect(changeMemberRole(db, member, admin.userId, "member")).rejects.toMatchObject({ code: "FORBIDDEN" });

      await changeMemberRole(db, admin, member.userId, "reviewer");
      expect(await roleOf(db, member.userId, org.id)).toBe("reviewer");

      // With a second owner, the first may step down.
      await changeMemberRole(db, owner, admin.userId, "owner");
      await changeMemberRole(db, owner, owner.userId, "member");
      expect(await roleOf(db, owner.userId, org.id)).toBe("member");

      const { record } = await createUserToken(db, { userId: member.userId, orgId: org.id, name: "t" });
      await removeMember(db, { ...admin, role: "owner" }, member.userId);
      expect(await membershipOf(db, member.userId)).toBeNull();
      const [token] = await db.select().from(tables.userTokens).where(eq(tables.userTokens.id, record.id));
      expect(token?.revokedAt).toBeInstanceOf(Date);
    });
  });

  it("invitation links work once, for the invited email, and not after revocation or expiry", async () => {
    await withDatabase(async (db) => {
      const org = await createOrganisation(db, { name: "Inviting" });
      const owner = await person(db, org.id, "owner", "inviter");
      const other = await createOrganisation(db, { name: "Elsewhere" });
      const guest = await person(db, other.id, "owner", "guest");

      await expect(createInvitation(db, { ...owner, role: "admin" }, { email: "x@members.test", role: "owner" })).rejects.toThrow(
        /Only an owner/,
      );
      await expect(createInvitation(db, owner, { email: owner.email, role: "member" })).rejects.toThrow(/already a member/);

      const { token } = await createInvitation(db, owner, { email: "GUEST@members.test", role: "reviewer" });
      expect((await lookUpInvitation(db, token)).status).toBe("pending");
      await expect(acceptInvitation(db, token, { userId: owner.userId, email: owner.email })).rejects.toThrow(/is for guest@members.test/);

      await acceptInvitation(db, token, guest);
      // Memberships are per organisation: the guest now works in either, by choice.
      expect((await membershipOf(db, guest.userId))?.orgId).toBe(other.id);
      expect(await membershipOf(db, guest.userId, org.id)).toMatchObject({ orgId: org.id, role: "reviewer" });
      expect((await membershipOf(db, guest.userId, "not-a-uuid"))?.orgId).toBe(other.id);
      expect((await lookUpInvitation(db, token)).status).toBe("used");
      await expect(acceptInvitation(db, token, guest)).rejects.toThrow(/already been used/);

      const revoked = await createInvitation(db, owner, { email: "late@members.test", role: "member" });
      await revokeInvitation(db, owner, revoked.invitation.publicId);
      expect((await lookUpInvitation(db, revoked.token)).status).toBe("revoked");

      const expired = await createInvitation(db, owner, { email: "late@members.test", role: "member" });
      await db
        .update(tables.invitations)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(tables.invitations.id, expired.invitation.id));
      expect((await lookUpInvitation(db, expired.token)).status).toBe("expired");
      const refused = await signUp(db, {
        name: "Late",
        email: "late@members.test",
        password: "long enough password",
        invitation: expired.token,
      });
      expect(refused).toMatchObject({ status: "invitation-refused" });
      expect(await db.select().from(tables.users).where(eq(tables.users.email, "late@members.test"))).toHaveLength(0);

      const fresh = await createInvitation(db, owner, { email: "late@members.test", role: "member" });
      const joined = await signUp(db, {
        name: "Late",
        email: "late@members.test",
        password: "long enough password",
        invitation: fresh.token,
      });
      expect(joined).toMatchObject({ status: "created", orgId: org.id });
      if (joined.status !== "created") return;
      expect(await membershipOf(db, joined.userId)).toMatchObject({ orgId: org.id, role: "member" });
      expect(await db.select().from(tables.organisations)).toHaveLength(2);
    });
  });
});
