import { asc, eq } from "drizzle-orm";
import type { MemberRole } from "@/lib/auth/user-tokens";
import { tables, type Db } from "@/lib/db";

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
 * cookie), so a removed member or a changed role takes effect on their next click.
 */
export async function membershipOf(db: Db, userId: string): Promise<Member | null> {
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
    .orderBy(asc(tables.memberships.createdAt))
    .limit(1);
  return row ?? null;
}
