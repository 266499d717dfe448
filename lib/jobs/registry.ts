import { EventEmitter } from "node:events";
import type { Job } from "@/lib/db";
import { processSingleton } from "@/lib/runtime/singleton";
import type { JobKind, JobPayloads } from "./kinds";

export interface JobHandler<K extends JobKind> {
  run(payload: JobPayloads[K], job: Job): Promise<void>;
  /** Called once when the job is abandoned: attempts used up, or a PermanentJobError. */
  giveUp?(payload: JobPayloads[K], job: Job, lastError: string): Promise<void>;
}

// Process-wide: Next.js loads lib/ once per bundle, and a route's enqueue must reach the
// server's worker, which is started from another copy of this module.
const handlers = () => processSingleton("jobs:handlers", () => new Map<string, JobHandler<JobKind>>());
const wakeups = () => processSingleton("jobs:wakeups", () => new EventEmitter().setMaxListeners(0));

export function registerJobHandler<K extends JobKind>(kind: K, handler: JobHandler<K>): void {
  handlers().set(kind, handler);
}

export function jobHandler(kind: string): JobHandler<JobKind> | undefined {
  return handlers().get(kind);
}

/** Tells this process's workers that a job is due, so they claim it now instead of at the next poll. */
export function nudgeWorkers(): void {
  wakeups().emit("wake");
}

export function onNudge(listener: () => void): () => void {
  wakeups().on("wake", listener);
  return () => wakeups().off("wake", listener);
}
