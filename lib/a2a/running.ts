/**
 * The A2A tasks this instance is running, so a `tasks/cancel` (a request of its own) can stop one
 * and `tasks/get` can see one before its generation is stored.
 *
 * Cancelling works within the instance that runs the task: a new generation is written only when
 * its run settles, so another instance has nothing to find yet and answers TaskNotFound. Once
 * settled, a cancelled task is stored as failed with an `aborted` reply and reads `canceled`
 * everywhere (see tasks.ts).
 */
import { ApiError } from "@/lib/errors";
import { processSingleton } from "@/lib/runtime/singleton";
import type { TaskFacts } from "./tasks";

export interface RunningTask {
  keyId: string;
  agentId: string;
  facts: TaskFacts;
  /** Aborts the run: its model call stops, and the usage so far is charged as on any abort. */
  controller: AbortController;
}

const running = () => processSingleton("a2a:running-tasks", () => new Map<string, RunningTask>());

export function trackTask(task: RunningTask): void {
  running().set(task.facts.id, task);
}

export function untrackTask(taskId: string): void {
  running().delete(taskId);
}

/** A running task of this key and agent; anyone else's is not there. */
export function runningTask(taskId: string, keyId: string, agentId: string): RunningTask | null {
  const task = running().get(taskId);
  return task && task.keyId === keyId && task.agentId === agentId ? task : null;
}

/** Stops a running task; the run ends with this reason, which its stored failure names. */
export function cancelTask(task: RunningTask): void {
  task.facts = { ...task.facts, state: "canceled", note: "The task was canceled." };
  task.controller.abort(new ApiError("CONFLICT", "The task was canceled with tasks/cancel"));
}
