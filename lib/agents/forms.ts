import { z } from "zod";
import type { CreateAgentBody } from "./manage";

/**
 * The dashboard's agent form, checked in the browser and again by the server action (zod only,
 * so it is client-safe). Its output is the Agents API's own service input: the same limits as
 * `CreateAgentRequest`, with form strings turned into values and blank fields into "not set".
 */

const blankToNull = (value: string) => (value === "" ? null : value);

/** A number typed into a text box: blank is "not set"; anything else must be a number in range. */
function numberField(options: { min: number; max: number; integer?: boolean; label: string }) {
  return z
    .string()
    .trim()
    .optional()
    .transform((value, context) => {
      if (!value) return null;
      const number = Number(value);
      const ok = Number.isFinite(number) && (!options.integer || Number.isInteger(number));
      if (!ok || number < options.min || number > options.max) {
        context.addIssue({
          code: "custom",
          message: `${options.label} must be ${options.integer ? "a whole number" : "a number"} from ${options.min} to ${options.max}`,
        });
        return z.NEVER;
      }
      return number;
    });
}

/** Checkbox groups post one value per checked box: none, one (a string) or several (an array). */
const checkedValues = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]))
  .pipe(z.array(z.string().min(1)).max(128, "Attach at most 128 tools"));

/** `unchanged` keeps a choice the form cannot express (one named tool, set through the API). */
export const TOOL_CHOICES = ["auto", "none", "required", "unchanged"] as const;

export const AgentFormRequest = z.object({
  name: z.string().trim().min(1, "Name the agent").max(200, "Use at most 200 characters"),
  instructions: z.string().max(100_000, "Use at most 100,000 characters").optional().default("").transform(blankToNull),
  ai_provider_id: z.string({ error: "Choose an AI provider" }).min(1, "Choose an AI provider"),
  model: z.string().trim().max(200, "Use at most 200 characters").optional().default("").transform(blankToNull),
  temperature: numberField({ min: 0, max: 2, label: "Temperature" }),
  max_steps: numberField({ min: 1, max: 100, integer: true, label: "Max steps" }),
  tool_choice: z.enum(TOOL_CHOICES, { error: "Choose auto, none or required" }).optional().default("auto"),
  tool_ids: checkedValues,
});

export type AgentFormInput = z.output<typeof AgentFormRequest>;

/**
 * The form as the Agents API's create and update services take it. Every field is sent, so an
 * edit that clears a field clears it (null) rather than leaving the old value.
 */
export function agentBodyOf(input: AgentFormInput): CreateAgentBody {
  return {
    name: input.name,
    instructions: input.instructions,
    ai_provider_id: input.ai_provider_id,
    model: input.model,
    temperature: input.temperature,
    max_steps: input.max_steps,
    tool_choice: input.tool_choice === "unchanged" ? undefined : input.tool_choice === "auto" ? null : { type: input.tool_choice },
    tool_ids: input.tool_ids,
  };
}
