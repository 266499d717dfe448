/**
 * The steps of an automation, as the API accepts them, the database stores them and the
 * dashboard's editor checks them. Zod only, so the browser validates a form with the very schemas
 * the server parses it with.
 */
import { z } from "zod";

/** Longest wait a delay step may ask for: a day. */
export const MAX_DELAY_SECONDS = 24 * 60 * 60;
export const MAX_STEPS = 20;
export const MAX_TEMPLATE_LENGTH = 20_000;

export const STEP_TYPES = ["agent", "http", "condition", "delay"] as const;
export type StepType = (typeof STEP_TYPES)[number];

export const CONDITION_OPERATORS = ["equals", "not_equals", "contains", "gt", "lt", "exists"] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

export const HTTP_STEP_METHODS = ["POST", "PUT", "GET"] as const;

/** Step ids name steps in templates (`{{steps.<id>.output.text}}`) and jump targets. */
export const STEP_ID_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;

const stepId = z
  .string()
  .regex(STEP_ID_PATTERN, "id: a lowercase letter, then up to 39 lowercase letters, digits or _")
  .meta({ description: "Names the step in templates (`{{steps.<id>.output…}}`) and as a jump target; unique in the automation" });

const template = (description: string) => z.string().max(MAX_TEMPLATE_LENGTH).meta({ description });

/** A dotted path into the run's data: `trigger.body.customer.email`, `steps.lookup.output.body.items[0].id`. */
export const FIELD_PATH_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[\d{1,6}\])*$/;

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * A JSON value whose strings are templates. It arrives in a JSON body, so it is JSON already; not
 * spelled out recursively, which the API description could not name.
 */
const jsonValue = z.union([z.record(z.string(), z.unknown()), z.array(z.unknown()), z.string(), z.number(), z.boolean(), z.null()]);

export const AgentStep = z.strictObject({
  id: stepId,
  type: z.literal("agent"),
  agent_id: z.string().min(1).max(100).meta({ description: "An agent of the organisation (`agt_…`)" }),
  prompt: template("The message the agent answers; a template").min(1, "prompt must not be empty"),
});

export const HttpStep = z.strictObject({
  id: stepId,
  type: z.literal("http"),
  method: z.enum(HTTP_STEP_METHODS),
  url: template("An http(s) URL; a template").min(1, "url must not be empty"),
  headers: z
    .record(z.string().regex(HEADER_NAME, "header names are HTTP tokens").max(100), template("A header value; a template"))
    .optional()
    .meta({ description: "Request headers; values are templates" }),
  body: jsonValue
    .optional()
    .meta({ description: "Sent as JSON (POST and PUT); every string in it is a template, rendered and JSON-escaped" }),
});

export const ConditionStep = z.strictObject({
  id: stepId,
  type: z.literal("condition"),
  field: z
    .string()
    .max(500)
    .regex(FIELD_PATH_PATTERN, "field: a dotted path such as trigger.body.status or steps.answer.output.text")
    .meta({ description: "A dotted path into the run's data (no braces), e.g. `steps.answer.output.text`" }),
  operator: z.enum(CONDITION_OPERATORS),
  value: template("Compared with the field (a template); not used by `exists`").optional(),
  else_step: stepId
    .nullable()
    .optional()
    .meta({ description: "When the condition is false: jump to this later step; null or absent: end the run successfully" }),
});

export const DelayStep = z.strictObject({
  id: stepId,
  type: z.literal("delay"),
  seconds: z
    .int()
    .min(1)
    .max(MAX_DELAY_SECONDS)
    .meta({ description: `Wait this long before the next step (at most ${MAX_DELAY_SECONDS})` }),
});

export const AutomationStep = z.discriminatedUnion("type", [AgentStep, HttpStep, ConditionStep, DelayStep]);
export type AutomationStep = z.output<typeof AutomationStep>;

/** A list of steps that can run: ids unique, and every jump goes forward to a step that exists (so no run loops). */
export const AutomationSteps = z
  .array(AutomationStep)
  .max(MAX_STEPS, `an automation has at most ${MAX_STEPS} steps`)
  .superRefine((steps, context) => {
    const seen = new Map<string, number>();
    steps.forEach((step, index) => {
      if (seen.has(step.id)) context.addIssue({ code: "custom", path: [index, "id"], message: `step id "${step.id}" is used twice` });
      seen.set(step.id, index);
    });
    steps.forEach((step, index) => {
      if (step.type !== "condition" || !step.else_step) return;
      const target = seen.get(step.else_step);
      if (target === undefined || target <= index) {
        context.addIssue({ code: "custom", path: [index, "else_step"], message: `else_step "${step.else_step}" must name a later step` });
      }
    });
  });
