/**
 * The composition root: wires domain modules into the infrastructure and hooks that run them, so
 * lib/jobs and lib/generations import none of their users. Called by web-process.ts and worker.ts (and
 * the job tests).
 */
import { automationRunHandler, continueAfterReview } from "@/lib/automations";
import { flushCharges, releaseReservedAhead } from "@/lib/billing";
import { answerAfterReview, CHANNEL_TYPES, channelAnswerHandler, channelSendHandler } from "@/lib/channels";
import { flushGenerationRecords, onResumedRun, reviewResumeHandler } from "@/lib/generations";
import { registerJobHandler } from "@/lib/jobs";
import { knowledgeEmbedHandler } from "@/lib/knowledge";
import { resumeTaskAfterReview, taskJobHandler } from "@/lib/tasks";
import { webhookJobHandler } from "@/lib/webhooks";

/**
 * Registers a handler for every kind of JobPayloads, and the doors that hear how their resumed
 * runs end; safe to call more than once (a kind's handler is replaced).
 */
export function registerJobHandlers(): void {
  registerJobHandler("task.run", taskJobHandler);
  registerJobHandler("webhook.deliver", webhookJobHandler);
  registerJobHandler("generation.resume-after-review", reviewResumeHandler);
  registerJobHandler("channel.answer", channelAnswerHandler);
  registerJobHandler("channel.send", channelSendHandler);
  registerJobHandler("automation.run", automationRunHandler);
  registerJobHandler("knowledge.embed", knowledgeEmbedHandler);
  onResumedRun("task", resumeTaskAfterReview);
  onResumedRun("automation", continueAfterReview);
  for (const channel of CHANNEL_TYPES) onResumedRun(channel, answerAfterReview);
}

/**
 * Stores every record written behind replies (generations, traces, conversations, charges) and
 * gives back budget reserved ahead: on shutdown, so none is lost or left held.
 */
export async function flushBatchedRecords(): Promise<void> {
  await Promise.all([flushGenerationRecords(), releaseReservedAhead().then(flushCharges)]);
}
