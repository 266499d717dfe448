import { and, eq, inArray, lt, lte, or, sql } from "drizzle-orm";
import { tables, type Db, type Job } from "@/lib/db";
import type { JobKind, JobPayloads } from "./kinds";
import { nudgeWorkers } from "./registry";

const { jobs } = tables;

/** A job of one kind with that kind's payload (a union over JobPayloads, so kind and payload cannot mismatch). */
export type NewJob = {
  [K in JobKind]: {
    kind: K;
    payload: JobPayloads[K];
    /** Default: now. */
    runAt?: Date;
    /** Default: the column default (5). */
    maxAttempts?: number;
  };
}[JobKind];

/**
 * Adds a job. Pass a transaction to make the job part of it. Workers in this process are nudged
 * at once; one inside a still-open Postgres transaction is found at the next poll instead, so
 * callers may call `nudgeWorkers()` after committing.
 */
export async function enqueueJob(db: Db, job: NewJob): Promise<string> {
  const [row] = await db
    .insert(jobs)
    .values({ kind: job.kind, payload: job.payload, runAt: job.runAt, maxAttempts: job.maxAttempts })
    .returning({ id: jobs.id });
  if (!row) throw new Error("Inserting a job returned no row");
  if (!job.runAt || job.runAt.getTime() <= Date.now()) nudgeWorkers();
  return row.id;
}

const millisFromNow = (ms: number) => sql`now() + ${Math.round(ms)}::integer * interval '1 millisecond'`;

/** Due: queued and its time has come, or running under a lease that lapsed (its worker died). */
const isDue = () =>
  or(and(eq(jobs.status, "queued"), lte(jobs.runAt, sql`now()`)), and(eq(jobs.status, "running"), lt(jobs.lockedUntil, sql`now()`)));

/** Claims up to `limit` due jobs in one statement; SKIP LOCKED keeps concurrent workers apart. */
export function claimJobs(db: Db, workerId: string, limit: number, leaseMs: number): Promise<Job[]> {
  const due = db.select({ id: jobs.id }).from(jobs).where(isDue()).orderBy(jobs.runAt).limit(limit).for("update", { skipLocked: true });
  return db
    .update(jobs)
    .set({
      status: "running",
      attempts: sql`${jobs.attempts} + 1`,
      lockedUntil: millisFromNow(leaseMs),
      lockedBy: workerId,
      updatedAt: sql`now()`,
    })
    .where(inArray(jobs.id, due))
    .returning();
}

/**
 * Only the claim that is still current may change a job: `attempts` grows with every claim, so it
 * fences off a worker whose lease lapsed and whose job another worker has since claimed.
 */
const stillOurs = (job: Job) => and(eq(jobs.id, job.id), eq(jobs.status, "running"), eq(jobs.attempts, job.attempts));

export async function extendLease(db: Db, job: Job, leaseMs: number): Promise<void> {
  await db
    .update(jobs)
    .set({ lockedUntil: millisFromNow(leaseMs) })
    .where(stillOurs(job));
}

/** locked_by is kept: it tells which worker ran the job. */
export async function markDone(db: Db, job: Job): Promise<void> {
  await db
    .update(jobs)
    .set({ status: "done", lockedUntil: null, lastError: null, updatedAt: sql`now()` })
    .where(stillOurs(job));
}

export async function markFailed(db: Db, job: Job, error: string): Promise<void> {
  await db
    .update(jobs)
    .set({ status: "failed", lockedUntil: null, lastError: error, updatedAt: sql`now()` })
    .where(stillOurs(job));
}

export async function reschedule(db: Db, job: Job, error: string, delayMs: number): Promise<void> {
  await db
    .update(jobs)
    .set({
      status: "queued",
      runAt: millisFromNow(delayMs),
      lockedUntil: null,
      lockedBy: null,
      lastError: error,
      updatedAt: sql`now()`,
    })
    .where(stillOurs(job));
}
