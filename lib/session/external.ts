import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { hashPassword } from "@/lib/crypto/passwords";
import { tables, type Db } from "@/lib/db";
import { createOwner } from "@/lib/orgs";

/**
 * Maps a GitHub or OIDC sign-in to a Conduit user by email: an existing user signs in as
 * themselves; a new one gets a user and an organisation of their own, like a sign-up. The
 * random password is never shown: such users sign in through their provider.
 */
export async function userForExternalSignIn(db: Db, identity: { email?: string | null; name?: string | null }): Promise<string> {
  const email = identity.email?.trim().toLowerCase();
  if (!email) throw new Error("The sign-in provider shared no email address");
  const [existing] = await db.select({ id: tables.users.id }).from(tables.users).where(eq(tables.users.email, email)).limit(1);
  if (existing) return existing.id;
  const name = identity.name?.trim() || email;
  const passwordHash = await hashPassword(randomBytes(32).toString("base64url"));
  return db.transaction(async (tx) => {
    const { user } = await createOwner(tx, { email, name, passwordHash, organisation: `${name}'s organisation` });
    return user.id;
  });
}
