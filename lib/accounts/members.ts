import { asc, desc, eq, sql } from "drizzle-orm";
import type { MemberRole } from "@/lib/auth/user-tokens";
import { tables, UUID_PATTERN, type Db } from "@/lib/db";

export type { MemberRole };

export interface Member {
  userId: string;
  name: string;
  email: string;
  orgId: string;
  orgName: string;
  role: MemberRole;
}

/**
 * The signed-in user's membership, read on every page and action (never from the session
 * cookie), so a removed member or a changed role takes effect on their next click. A user in
 * several organisations works in the one they chose (`preferredOrgId`, from a cookie) if they
 * still belong to it, else in the one they joined first.
 */
export async function membershipOf(db: Db, userId: string, preferredOrgId?: string | null): Promise<Member | null> {
  // Only the user's own memberships are candidates: a forged preference can choose nothing else.
  const preferred = preferredOrgId && UUID_PATTERN.test(preferredOrgId) ? preferredOrgId : null;
  const [row] = await db
    .select({
      userId: tables.users.id,
      name: tables.users.name,
      email: tables.users.email,
      orgId: tables.organisations.id,
      orgName: tables.organisations.name,
      role: tables.memberships.role,
    })
    .from(tables.memberships)
    .innerJoin(tables.users, eq(tables.users.id, tables.memberships.userId))
    .innerJoin(tables.organisations, eq(tables.organisations.id, tables.memberships.orgId))
    .where(eq(tables.memberships.userId, userId))
    .orderBy(...(preferred ? [desc(sql`${tables.memberships.orgId} = ${preferred}`)] : []), asc(tables.memberships.createdAt))
    .limit(1);
  return row ?? null;
}

/** Every organisation the user belongs to, in the order they joined, for the organisation switcher. */
export function membershipsOf(db: Db, userId: string): Promise<Array<{ orgId: string; orgName: string; role: MemberRole }>> {
  return db
    .select({ orgId: tables.organisations.id, orgName: tables.organisations.name, role: tables.memberships.role })
    .from(tables.memberships)
    .innerJoin(tables.organisations, eq(tables.organisations.id, tables.memberships.orgId))
    .where(eq(tables.memberships.userId, userId))
    .orderBy(asc(tables.memberships.createdAt));
}

/** The user behind a session, whether or not they belong to an organisation (an invitation page needs their email). */
export async function accountOf(db: Db, userId: string): Promise<{ userId: string; name: string; email: string } | null> {
  const [row] = await db
    .select({ userId: tables.users.id, name: tables.users.name, email: tables.users.email })
    .from(tables.users)
    .where(eq(tables.users.id, userId))
    .limit(1);
  return row ?? null;
}
