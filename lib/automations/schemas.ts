/**
 * What the automations API (and the dashboard's automation editor) accepts. Zod only, so the
 * browser checks a form with the same schemas the server parses it with.
 */
import { z } from "zod";
import { AutomationSteps } from "@/lib/contracts/automation-steps";

export {
  AutomationStep,
  AutomationSteps,
  CONDITION_OPERATORS,
  HTTP_STEP_METHODS,
  MAX_DELAY_SECONDS,
  MAX_STEPS,
  STEP_TYPES,
  type ConditionOperator,
  type StepType,
} from "@/lib/contracts/automation-steps";

const name = z.string().trim().min(1, "name must not be empty").max(200);
const payingKey = z.string().min(1).max(100).nullable().optional().meta({
  description:
    "An API key (`key_…`) of the organisation whose budget pays for agent steps (its expiry and revocation apply too); null or absent: the organisation's plan limits alone",
});
const steps = AutomationSteps.meta({
  description: "The draft's steps, run in order; triggers run the published snapshot, so saving changes nothing until you publish",
});

export const CreateAutomationRequest = z.strictObject({
  name,
  steps: steps.optional(),
  api_key_id: payingKey,
});
export type CreateAutomationRequest = z.output<typeof CreateAutomationRequest>;

export const UpdateAutomationRequest = z.strictObject({
  name: name.optional(),
  steps: steps.optional(),
  api_key_id: payingKey,
});
export type UpdateAutomationRequest = z.output<typeof UpdateAutomationRequest>;

export const ListAutomationRunsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).optional().meta({ description: "At most this many, newest first (default 50)" }),
});
