import { onResumedRun, reviewResumeHandler } from "@/lib/generations";
import { resumeTaskAfterReview, TASK_JOB, taskJobHandler } from "@/lib/tasks";
import { WEBHOOK_JOB_KIND, webhookJobHandler } from "@/lib/webhooks";
import { REVIEW_RESUME_JOB } from "./kinds";
import { registerJobHandler } from "./registry";

/** Registers every job kind Conduit runs; safe to call more than once (a kind's handler is replaced). */
export function registerAllJobHandlers(): void {
  registerJobHandler(WEBHOOK_JOB_KIND, webhookJobHandler);
  registerJobHandler(TASK_JOB, taskJobHandler);
  registerJobHandler(REVIEW_RESUME_JOB, reviewResumeHandler);
  onResumedRun("task", resumeTaskAfterReview);
}
