/**
 * The composition root: wires domain modules into the infrastructure that runs them, so lib/jobs
 * never imports a domain. Called by server.ts and worker.ts (and the job tests).
 */
import { reviewResumeHandler } from "@/lib/generations/engine";
import { registerJobHandler } from "@/lib/jobs";
import { taskJobHandler } from "@/lib/tasks";
import { webhookJobHandler } from "@/lib/webhooks";

/** Registers a handler for every kind of JobPayloads; safe to call more than once (a kind's handler is replaced). */
export function registerJobHandlers(): void {
  registerJobHandler("task.run", taskJobHandler);
  registerJobHandler("webhook.deliver", webhookJobHandler);
  registerJobHandler("generation.resume-after-review", reviewResumeHandler);
}
