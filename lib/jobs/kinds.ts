/**
 * Every job kind and its payload: `enqueueJob`, `jobsInsertCte` and the handlers are typed by
 * this map. It holds plain data only, so lib/jobs imports no domain module; the handlers are
 * registered by the composition root (lib/composition). Kinds are stored in the jobs table:
 * never rename one.
 */
export interface JobPayloads {
  /** Runs an async task of the task gateway (lib/tasks). */
  "task.run": { taskId: string };
  /** Delivers one stored webhook (lib/webhooks). */
  "webhook.deliver": { deliveryId: string };
  /** Resumes a generation paused on gated tool calls once reviewers decided (lib/generations). */
  "generation.resume-after-review": { generationId: string };
  /** Runs the agent on a message that came in on a channel (lib/channels). */
  "channel.answer": { messageId: string };
  /** Sends one reply out on a channel (lib/channels). */
  "channel.send": { messageId: string };
  /** Runs an automation run's steps from its next one (lib/automations). */
  "automation.run": { runId: string };
  /** Embeds an organisation's passages that lack an embedding from its embedding model (lib/knowledge). */
  "knowledge.embed": { orgId: string };
}

export type JobKind = keyof JobPayloads;
