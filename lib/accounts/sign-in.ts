import { eq, sql } from "drizzle-orm";
import { config } from "@/lib/config";
import { hashPassword, needsRehash, spendVerificationTime, verifyPassword } from "@/lib/crypto/passwords";
import { tables, type Db } from "@/lib/db";
import { allowSignInAttempt } from "@/lib/ratelimit";
import type { SignInRequest } from "./schemas";

export type SignInOutcome =
  | { status: "signed-in"; userId: string }
  | { status: "invalid" }
  | { status: "locked"; until: Date }
  | { status: "throttled"; retryAfterSeconds: number };

/**
 * Checks an email and password. Unknown emails take as long as wrong passwords, so timing does
 * not reveal who has an account; attempts are throttled per email and client address, and an
 * account locks for a while after repeated consecutive failures.
 */
export async function signInWithPassword(db: Db, input: SignInRequest & { ip: string }): Promise<SignInOutcome> {
  const attempt = await allowSignInAttempt(input.email, input.ip);
  if (!attempt.success) return { status: "throttled", retryAfterSeconds: Math.max(1, Math.ceil((attempt.reset - Date.now()) / 1000)) };

  const [user] = await db
    .select({ id: tables.users.id, passwordHash: tables.users.passwordHash, lockedUntil: tables.users.lockedUntil })
    .from(tables.users)
    .where(eq(tables.users.email, input.email))
    .limit(1);
  if (!user) {
    await spendVerificationTime(input.password);
    return { status: "invalid" };
  }
  // A locked account is refused even with the right password: the lock is what stops guessing.
  if (user.lockedUntil && user.lockedUntil > new Date()) {
    await spendVerificationTime(input.password);
    return { status: "locked", until: user.lockedUntil };
  }
  if (!(await verifyPassword(input.password, user.passwordHash))) return recordFailure(db, user.id);

  await db
    .update(tables.users)
    .set({
      failedSignIns: 0,
      lockedUntil: null,
      ...(needsRehash(user.passwordHash) ? { passwordHash: await hashPassword(input.password) } : {}),
    })
    .where(eq(tables.users.id, user.id));
  return { status: "signed-in", userId: user.id };
}

async function recordFailure(db: Db, userId: string): Promise<SignInOutcome> {
  const { SIGN_IN_LOCKOUT_FAILURES: maxFailures, SIGN_IN_LOCKOUT_MINUTES: minutes } = config();
  const reachesLimit = sql`${tables.users.failedSignIns} + 1 >= ${maxFailures}`;
  // One statement, so concurrent failures each count; the one reaching the limit sets the lock
  // and starts the count over for when it lapses.
  const [row] = await db
    .update(tables.users)
    .set({
      failedSignIns: sql`case when ${reachesLimit} then 0 else ${tables.users.failedSignIns} + 1 end`,
      lockedUntil: sql`case when ${reachesLimit} then now() + make_interval(mins => ${minutes}) else ${tables.users.lockedUntil} end`,
    })
    .where(eq(tables.users.id, userId))
    .returning({ lockedUntil: tables.users.lockedUntil });
  if (row?.lockedUntil && row.lockedUntil > new Date()) return { status: "locked", until: row.lockedUntil };
  return { status: "invalid" };
}
