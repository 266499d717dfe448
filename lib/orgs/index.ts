import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { randomString, tables, type Db, type Organisation, type User } from "@/lib/db";

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** scrypt with a random salt; stored as `scrypt$<salt>$<hash>` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32);
  return `scrypt$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const actual = await scryptAsync(password, Buffer.from(salt, "base64url"), expected.length);
  return timingSafeEqual(actual, expected);
}

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

export async function createUser(db: Db, input: { email: string; name: string; password: string }): Promise<User> {
  const [user] = await db
    .insert(tables.users)
    .values({ email: input.email.toLowerCase(), name: input.name, passwordHash: await hashPassword(input.password) })
    .returning();
  if (!user) throw new Error("user insert returned no row");
  return user;
}

export async function addMember(db: Db, orgId: string, userId: string, role: "owner" | "admin" | "member"): Promise<void> {
  await db.insert(tables.memberships).values({ orgId, userId, role });
}
