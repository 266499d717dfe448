import { z } from "zod";
import { integerField } from "@/lib/http/fields";

/**
 * The API's request schemas for managed keys. Nothing server-only here: the dashboard's forms
 * check input in the browser with these same schemas.
 */

/** More agents than any key needs; keeps the lookup of a key's agents one small query. */
export const MAX_KEY_AGENTS = 100;

export const BUDGET_PERIODS = ["daily", "monthly", "total"] as const;

const keySettings = {
  label: z.string().trim().min(1).max(200),
  response_url: z.url({ protocol: /^https?$/, error: "response_url must be an http(s) URL" }),
  budget_usd_cents: integerField(),
  budget_period: z.enum(BUDGET_PERIODS, { error: "budget_period must be daily, monthly or total" }),
  agent_ids: z
    .array(z.string().trim().min(1).max(200), { error: "agent_ids must be an array of agent ids, or null for every agent" })
    .min(1, "agent_ids must name at least one agent, or be null for every agent")
    .max(MAX_KEY_AGENTS, `agent_ids may name at most ${MAX_KEY_AGENTS} agents`),
};

export const CreateApiKeyRequest = z.object({
  label: keySettings.label.optional(),
  response_url: keySettings.response_url.nullable().optional(),
  budget_usd_cents: keySettings.budget_usd_cents.nullable().optional(),
  budget_period: keySettings.budget_period.nullable().optional(),
  agent_ids: keySettings.agent_ids.nullable().optional().meta({
    description:
      "Agents of your organisation the key may use (`agt_` ids or UUIDs; the first is the task gateway's default); null or absent: every agent",
  }),
});

export const UpdateApiKeyRequest = CreateApiKeyRequest.meta({ description: "Only the fields sent change" });
