import { eq } from "drizzle-orm";
import { hashPassword } from "@/lib/crypto/passwords";
import { tables, type Db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/errors";
import { addMember, createOrganisation, createUser } from "@/lib/orgs";
import type { SignUpRequest } from "./schemas";

export type SignUpOutcome = { status: "created"; userId: string; orgId: string } | { status: "email-taken" };

/** Creates a user and their organisation, the user its owner; all or nothing. */
export async function signUp(db: Db, input: SignUpRequest): Promise<SignUpOutcome> {
  const [existing] = await db.select({ id: tables.users.id }).from(tables.users).where(eq(tables.users.email, input.email)).limit(1);
  if (existing) return { status: "email-taken" };
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction(async (tx) => {
      const user = await createUser(tx, { email: input.email, name: input.name, passwordHash });
      const org = await createOrganisation(tx, { name: input.organisation });
      await addMember(tx, org.id, user.id, "owner");
      return { status: "created" as const, userId: user.id, orgId: org.id };
    });
  } catch (error) {
    // Two sign-ups racing for one email: the unique index decides, the loser is told plainly.
    if (isUniqueViolation(error)) return { status: "email-taken" };
    throw error;
  }
}
