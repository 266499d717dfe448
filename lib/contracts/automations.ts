/** Response bodies of automations (`/api/automations…`, `/api/automation-runs…`) and their webhook trigger. */
import { z } from "zod";
import { AutomationStep, STEP_TYPES } from "./automation-steps";
import { timestamp } from "./fields";

const RUN_STATUSES = ["queued", "running", "waiting", "succeeded", "failed"] as const;

export const AutomationTrigger = z.strictObject({
  id: z.string().meta({ description: "The trigger's public id (`trg_…`), the last segment of its URL" }),
  url: z.string().meta({ description: "POST JSON here (built from PUBLIC_URL)" }),
  bearer_secret_start: z
    .string()
    .meta({ description: "The first characters of the bearer secret, to recognise it; the secret is shown once" }),
});

export const AutomationResponse = z.strictObject({
  id: z.string().meta({ description: "The automation's public id (`aut_…`)" }),
  name: z.string(),
  status: z.enum(["draft", "published"]).meta({ description: "published: the trigger runs `published_steps`; draft: it answers 404" }),
  steps: z.array(AutomationStep).meta({ description: "The draft, as last saved" }),
  published_steps: z.array(AutomationStep).nullable().meta({ description: "The snapshot triggers run; null while unpublished" }),
  has_unpublished_changes: z.boolean().meta({ description: "The draft differs from the published snapshot: publish again to run it" }),
  published_at: timestamp.nullable(),
  api_key_id: z
    .string()
    .nullable()
    .meta({ description: "The API key whose budget pays for agent steps; null: the organisation's plan alone" }),
  trigger: AutomationTrigger,
  created_at: timestamp,
  updated_at: timestamp,
});
export type AutomationResponse = z.input<typeof AutomationResponse>;

export const AutomationListResponse = z.strictObject({ data: z.array(AutomationResponse) });
export type AutomationListResponse = z.input<typeof AutomationListResponse>;

const secrets = {
  bearer_secret: z
    .string()
    .meta({ description: "`Authorization: Bearer ats_…` authenticates a trigger call; shown only in this response" }),
  signing_secret: z.string().meta({
    description:
      "The Standard Webhooks signing secret (`whsec_…`): sign calls with `webhook-id`, `webhook-timestamp` and `webhook-signature` instead of the bearer secret; shown only in this response",
  }),
};

export const CreateAutomationResponse = AutomationResponse.extend(secrets);
export type CreateAutomationResponse = z.input<typeof CreateAutomationResponse>;

export const AutomationTriggerSecretsResponse = z.strictObject({ trigger: AutomationTrigger, ...secrets });
export type AutomationTriggerSecretsResponse = z.input<typeof AutomationTriggerSecretsResponse>;

export const AutomationStepResult = z.strictObject({
  id: z.string(),
  type: z.enum(STEP_TYPES),
  status: z.enum(["running", "waiting", "succeeded", "failed", "skipped"]),
  input: z.unknown().meta({ description: "The step as it ran, its templates rendered" }),
  output: z.unknown().meta({ description: "What later steps read as `steps.<id>.output`" }),
  warnings: z.array(z.string()).meta({ description: "Template fields that were missing or refused (each rendered empty)" }),
  error: z.string().nullable(),
  attempts: z.int(),
  duration_ms: z.int().nullable(),
  started_at: timestamp,
  finished_at: timestamp.nullable(),
});

export const AutomationRunSummary = z.strictObject({
  id: z.string().meta({ description: "The run's public id (`atr_…`)" }),
  automation_id: z.string(),
  status: z.enum(RUN_STATUSES),
  error: z.string().nullable().meta({ description: "Why the run failed" }),
  rerun_of: z.string().nullable().meta({ description: "The run this one repeats, if any" }),
  created_at: timestamp,
  updated_at: timestamp,
  finished_at: timestamp.nullable(),
});
export type AutomationRunSummary = z.input<typeof AutomationRunSummary>;

export const AutomationRunResponse = AutomationRunSummary.extend({
  payload: z.unknown().meta({ description: "The trigger's JSON body" }),
  webhook_id: z.string().nullable(),
  steps: z.array(AutomationStepResult).meta({ description: "Each step that ran so far, in order" }),
});
export type AutomationRunResponse = z.input<typeof AutomationRunResponse>;

export const AutomationRunListResponse = z.strictObject({ data: z.array(AutomationRunSummary) });
export type AutomationRunListResponse = z.input<typeof AutomationRunListResponse>;

/** `POST /api/webhooks/automations/{triggerId}` and `POST /api/automation-runs/{id}/rerun`. */
export const AutomationRunQueuedResponse = z.strictObject({
  run_id: z.string(),
  status: z
    .enum(RUN_STATUSES)
    .meta({ description: "queued for a new run; a repeated `webhook-id` answers its first run's current status" }),
});
export type AutomationRunQueuedResponse = z.input<typeof AutomationRunQueuedResponse>;
