import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { config } from "@/lib/config";
import { getDb, type Job } from "@/lib/db";
import { failureHeadline } from "@/lib/runtime/failure";
import { PermanentJobError, RetryLaterError } from "./errors";
import type { JobKind, JobPayloads } from "./kinds";
import { claimJobs, deleteFinishedJobs, extendLease, markDone, markFailed, reschedule } from "./queue";
import { jobHandler, onNudge, type JobHandler } from "./registry";

type AnyJobHandler = JobHandler<JobKind>;

const MAX_RETRY_DELAY_MS = 60 * 60_000;
/** A handler's own schedule (e.g. event deliveries over a day) may ask for longer than the backoff's cap. */
const MAX_REQUESTED_DELAY_MS = 24 * 60 * 60_000;
const STOP_GRACE_MS = 10_000;
const PRUNE_EVERY_MS = 60 * 60_000;
const MAX_ERROR_LENGTH = 2_000;

export interface JobWorker {
  id: string;
  /** Stops claiming, then waits (at most 10 s) for running jobs; unfinished ones are retried elsewhere once their lease lapses. */
  stop(): Promise<void>;
}

interface Settings {
  concurrency: number;
  pollMs: number;
  leaseMs: number;
  retryBaseMs: number;
}

/** Exponential backoff with "equal jitter": jobs that failed together do not all retry together. */
export function retryDelayMs(attempt: number, baseMs: number): number {
  const exponential = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** (attempt - 1));
  return exponential / 2 + Math.random() * (exponential / 2);
}

/** A stored payload matches its kind: its writers (enqueueJob, jobsInsertCte) are typed by JobPayloads. */
const payloadOf = (job: Job) => job.payload as JobPayloads[JobKind];

// Job errors are logged and stored: the first line only, never a failed query's parameters.
const errorText = (error: unknown) => failureHeadline(error).slice(0, MAX_ERROR_LENGTH);

/** A sleep that ends early when rung; a ring while awake is kept for the next sleep. */
function createAlarm() {
  let rung = false;
  let wake: (() => void) | undefined;
  return {
    ring() {
      rung = true;
      wake?.();
    },
    sleep(ms: number): Promise<void> {
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wake = undefined;
          rung = false;
          resolve();
        };
        const timer = setTimeout(done, rung ? 0 : ms);
        wake = done;
      });
    },
  };
}

/** Gives up on a job: giveUp first, so a crash before the job is marked failed repeats giveUp rather than skipping it. */
async function abandon(job: Job, handler: AnyJobHandler | undefined, error: string): Promise<void> {
  console.warn(`[jobs] giving up on ${job.kind} ${job.id} after ${job.attempts} attempt(s): ${error}`);
  try {
    await handler?.giveUp?.(payloadOf(job), job, error);
  } catch (giveUpError) {
    console.error(`[jobs] giveUp of ${job.kind} ${job.id} failed: ${errorText(giveUpError)}`);
  }
  await markFailed(await getDb(), job, error);
}

async function afterFailure(job: Job, handler: AnyJobHandler | undefined, thrown: unknown, settings: Settings): Promise<void> {
  const error = errorText(thrown);
  if (thrown instanceof PermanentJobError || job.attempts >= job.maxAttempts) return abandon(job, handler, error);
  const backoff = retryDelayMs(job.attempts, settings.retryBaseMs);
  const requested = thrown instanceof RetryLaterError ? Math.min(thrown.delayMs, MAX_REQUESTED_DELAY_MS) : 0;
  console.warn(`[jobs] ${job.kind} ${job.id} attempt ${job.attempts}/${job.maxAttempts} failed: ${error}`);
  await reschedule(await getDb(), job, error, Math.max(backoff, requested));
}

async function attempt(job: Job, settings: Settings): Promise<void> {
  const handler = jobHandler(job.kind);
  // More claims than allowed attempts: workers died during the last one (a job that crashes its worker).
  if (job.attempts > job.maxAttempts) {
    return abandon(job, handler, `Worker stopped during the last attempt${job.lastError ? ` (earlier: ${job.lastError})` : ""}`);
  }
  try {
    if (!handler) throw new Error(`No handler registered for job kind "${job.kind}"`);
    await handler.run(payloadOf(job), job);
  } catch (error) {
    return afterFailure(job, handler, error, settings);
  }
  await markDone(await getDb(), job);
}

/** Runs one claimed job, renewing its lease meanwhile so only a dead worker's lease lapses. Never rejects. */
async function runJob(job: Job, settings: Settings): Promise<void> {
  const renew = () =>
    getDb()
      .then((db) => extendLease(db, job, settings.leaseMs))
      .catch((error: unknown) => console.error(`[jobs] renewing the lease of ${job.id} failed: ${errorText(error)}`));
  const heartbeat = setInterval(() => void renew(), settings.leaseMs / 3);
  try {
    await attempt(job, settings);
  } catch (error) {
    // Recording the outcome failed: the job stays leased and runs again once the lease lapses.
    console.error(`[jobs] ${job.kind} ${job.id}: ${errorText(error)}`);
  } finally {
    clearInterval(heartbeat);
  }
}

/** Polls for due jobs and runs up to WORKER_CONCURRENCY at once; several workers (and processes) may share a database. */
export function startWorker(): JobWorker {
  const env = config();
  const settings: Settings = {
    concurrency: env.WORKER_CONCURRENCY,
    pollMs: env.WORKER_POLL_MS,
    leaseMs: env.JOB_LEASE_MS,
    retryBaseMs: env.JOB_RETRY_BASE_MS,
  };
  const id = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  // A finished job wakes the loop only once this many slots are free: under a backlog, one claim
  // then fetches several jobs instead of one per finished job. Polls and nudges claim at once.
  const refillAt = Math.max(1, Math.floor(settings.concurrency / 4));
  const inFlight = new Set<Promise<void>>();
  const alarm = createAlarm();
  const unsubscribe = onNudge(alarm.ring);
  let stopping = false;
  let claimFailing = false;

  const claim = async (limit: number): Promise<Job[]> => {
    try {
      const jobs = await claimJobs(await getDb(), id, limit, settings.leaseMs);
      if (claimFailing) console.warn("[jobs] claiming jobs works again");
      claimFailing = false;
      return jobs;
    } catch (error) {
      // Logged once per outage, not on every poll.
      if (!claimFailing) console.error(`[jobs] claiming jobs failed (retrying every poll): ${errorText(error)}`);
      claimFailing = true;
      return [];
    }
  };

  // Finished jobs past JOB_RETENTION_DAYS go at start and then hourly, beside the claims.
  let prunedAt = -Infinity;
  const prune = async () => {
    prunedAt = Date.now();
    try {
      const before = new Date(Date.now() - env.JOB_RETENTION_DAYS * 24 * 60 * 60_000);
      const deleted = await deleteFinishedJobs(await getDb(), before);
      if (deleted > 0) console.log(`[jobs] deleted ${deleted} job(s) finished more than ${env.JOB_RETENTION_DAYS} day(s) ago`);
    } catch (error) {
      console.error(`[jobs] deleting finished jobs failed: ${errorText(error)}`);
    }
  };

  const track = (run: Promise<void>) => {
    inFlight.add(run);
    void run.finally(() => {
      inFlight.delete(run);
      if (settings.concurrency - inFlight.size >= refillAt) alarm.ring();
    });
  };

  const loop = async () => {
    while (!stopping) {
      if (Date.now() - prunedAt >= PRUNE_EVERY_MS) track(prune());
      const free = settings.concurrency - inFlight.size;
      if (free > 0) for (const job of await claim(free)) track(runJob(job, settings));
      await alarm.sleep(settings.pollMs);
    }
  };
  const looping = loop();

  let stopped: Promise<void> | undefined;
  const stop = async () => {
    stopping = true;
    unsubscribe();
    alarm.ring();
    await looping;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_GRACE_MS)));
    const finished = Promise.allSettled(inFlight).then(() => false);
    if (await Promise.race([finished, timedOut])) {
      console.warn(`[jobs] stopped with ${inFlight.size} job(s) still running; they are retried once their lease lapses`);
    }
    clearTimeout(timer);
  };
  return {
    id,
    stop: () => (stopped ??= stop()),
  };
}
