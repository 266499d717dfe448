import { EventEmitter } from "node:events";
import type { Job } from "@/lib/db";
import { processSingleton } from "@/lib/runtime/singleton";

export interface JobHandler {
  run(payload: Record<string, unknown>, job: Job): Promise<void>;
  /** Called once when the job is abandoned: attempts used up, or a PermanentJobError. */
  giveUp?(payload: Record<string, unknown>, job: Job, lastError: string): Promise<void>;
}

// Process-wide: Next.js loads lib/ once per bundle, and a route's enqueue must reach the
// server's worker, which is started from another copy of this module.
const handlers = () => processSingleton("jobs:handlers", () => new Map<string, JobHandler>());
const wakeups = () => processSingleton("jobs:wakeups", () => new EventEmitter().setMaxListeners(0));

export function registerJobHandler(kind: string, handler: JobHandler): void {
  handlers().set(kind, handler);
}

export function jobHandler(kind: string): JobHandler | undefined {
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
