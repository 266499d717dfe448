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

/** The insert of `newJobs`, not yet run: a statement of its own, or a part of a caller's. */
function insertJobs(db: Db, newJobs: readonly NewJob[]) {
  return db
    .insert(jobs)
    .values(newJobs.map((job) => ({ kind: job.kind, payload: job.payload, runAt: job.runAt, maxAttempts: job.maxAttempts })));
}

/**
 * Adds a job. Pass a transaction to make the job part of it. Workers in this process are nudged
 * at once; one inside a still-open Postgres transaction is found at the next poll instead, so
 * callers may call `nudgeWorkers()` after committing.
 */
export async function enqueueJob(db: Db, job: NewJob): Promise<string> {
  const [row] = await insertJobs(db, [job]).returning({ id: jobs.id });
  if (!row) throw new Error("Inserting a job returned no row");
  if (!job.runAt || job.runAt.getTime() <= Date.now()) nudgeWorkers();
  return row.id;
}

/**
 * Adds a job unless one of the same kind with the same payload is still waiting to run: for work
 * that does whatever is left when it runs, where a second waiting copy would only repeat it. A
 * waiting copy scheduled later than this one is brought forward instead. A copy added while the
 * first runs waits for it to end (see claimJobs), then does what is left.
 */
export async function enqueueJobOnce(db: Db, job: NewJob): Promise<void> {
  const payload = sql`${JSON.stringify(job.payload)}::jsonb`;
  const runAt = job.runAt ?? new Date();
  const at = sql`${runAt.toISOString()}::timestamptz`;
  const waiting = and(eq(jobs.kind, job.kind), eq(jobs.status, "queued"), sql`${jobs.payload} = ${payload}`);
  // One statement: the insert's check sees the waiting copy as it was before it is brought forward.
  const bringForward = db
    .update(jobs)
    .set({ runAt })
    .where(and(waiting, sql`${jobs.runAt} > ${at}`));
  await db.execute(
    sql`with brought_forward as (${bringForward.getSQL()})
        insert into ${jobs} (${sql.identifier(jobs.kind.name)}, ${sql.identifier(jobs.payload.name)}, ${sql.identifier(jobs.runAt.name)})
        select ${job.kind}, ${payload}, ${at} where not exists (${db.select({ id: jobs.id }).from(jobs).where(waiting)})`,
  );
  if (runAt.getTime() <= Date.now()) nudgeWorkers();
}

/**
 * The insert of `newJobs` as a common table expression, so a caller writes its own row and the
 * row's job in one statement, atomic with or without a transaction:
 *
 *   const job = jobsInsertCte(db, "task_job", [{ kind: "task.run", payload: { taskId: id } }]);
 *   await db.with(job).insert(tasks).values({ id, … });
 *
 * The payload names the caller's row, so its id is chosen before the statement (randomUUID()).
 * Nothing is nudged: call `nudgeWorkers()` once the statement, or its transaction, has committed.
 */
export function jobsInsertCte<Name extends string>(db: Db, name: Name, newJobs: readonly NewJob[]) {
  if (newJobs.length === 0) throw new Error("jobsInsertCte needs at least one job");
  return db.$with(name, {}).as(insertJobs(db, newJobs).getSQL());
}

const millisFromNow = (ms: number) => sql`now() + ${Math.round(ms)}::integer * interval '1 millisecond'`;

/** Due: queued and its time has come, or running under a lease that lapsed (its worker died). */
const isDue = () =>
  or(and(eq(jobs.status, "queued"), lte(jobs.runAt, sql`now()`)), and(eq(jobs.status, "running"), lt(jobs.lockedUntil, sql`now()`)));

/**
 * A job waits while another of its kind with the same payload runs under a live lease: the same
 * work is never done twice at once (a copy queued by `enqueueJobOnce` while the first runs, say).
 */
const noTwinRunning = () =>
  sql`not exists (select 1 from ${jobs} as running where running.kind = ${jobs.kind} and running.payload = ${jobs.payload}
        and running.status = 'running' and running.locked_until >= now() and running.id <> ${jobs.id})`;

/** Claims up to `limit` due jobs in one statement; SKIP LOCKED keeps concurrent workers apart. */
export function claimJobs(db: Db, workerId: string, limit: number, leaseMs: number): Promise<Job[]> {
  const due = db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(isDue(), noTwinRunning()))
    .orderBy(jobs.runAt)
    .limit(limit)
    .for("update", { skipLocked: true });
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

const PRUNE_BATCH = 5_000;

/**
 * Deletes finished jobs (done or failed) that finished before `before`, in batches so no one
 * statement holds the table for long. A job's outcome lives on in what it worked on (the task,
 * the delivery); the job row is only the queue's bookkeeping.
 */
export async function deleteFinishedJobs(db: Db, before: Date): Promise<number> {
  let deleted = 0;
  for (;;) {
    const batch = db
      .select({ id: jobs.id })
      .from(jobs)
      // A job finishes after its run_at, so the run_at bound drops nothing; it lets the (status, run_at) index find the rows.
      .where(and(inArray(jobs.status, ["done", "failed"]), lt(jobs.runAt, before), lt(jobs.updatedAt, before)))
      .limit(PRUNE_BATCH);
    const rows = await db.delete(jobs).where(inArray(jobs.id, batch)).returning({ id: jobs.id });
    deleted += rows.length;
    if (rows.length < PRUNE_BATCH) return deleted;
  }
}
