import { z } from "zod";
import { BUDGET_PERIODS, CreateApiKeyRequest, UpdateApiKeyRequest } from "@/lib/keys/schemas";

/**
 * The key forms, mapped onto the API's own request schemas: the browser checks with these before
 * posting and the server actions parse with them again. Dollars become cents, an empty field
 * means none, and "every agent" is `agent_ids: null`.
 */

const keyId = z.string().trim().min(1, "Which key?").max(200);

const keyFields = z.object({
  label: z.string().optional(),
  agent_scope: z.enum(["all", "some"], { error: "Choose every agent or some agents" }).default("all"),
  /** One checked box arrives as a string, several as an array. */
  agent_ids: z.union([z.string(), z.array(z.string())]).optional(),
  budget_usd: z
    .string()
    .trim()
    .regex(/^(\d{1,7}(\.\d{1,2})?)?$/, "Enter an amount in US dollars (up to 9999999.99), e.g. 50 or 12.50")
    .optional(),
  budget_period: z.enum(BUDGET_PERIODS, { error: "Choose a budget period" }).optional(),
  response_url: z.string().trim().optional(),
});

function keyBody(fields: z.output<typeof keyFields>): z.input<typeof CreateApiKeyRequest> {
  const budget = fields.budget_usd ? Math.round(Number(fields.budget_usd) * 100) : null;
  const label = fields.label?.trim();
  return {
    ...(label ? { label } : {}),
    agent_ids: fields.agent_scope === "all" ? null : [fields.agent_ids ?? []].flat(),
    budget_usd_cents: budget,
    budget_period: budget === null ? null : (fields.budget_period ?? null),
    response_url: fields.response_url || null,
  };
}

export const CreateKeyForm = keyFields.transform(keyBody).pipe(CreateApiKeyRequest);

/** Sends every setting: the form shows them all, so what is left empty is cleared (an empty label keeps the current one). */
export const UpdateKeyForm = keyFields
  .extend({ id: keyId })
  .transform(({ id, ...fields }) => ({ id, ...keyBody(fields) }))
  .pipe(UpdateApiKeyRequest.extend({ id: keyId }));

export const KeyIdForm = z.object({ id: keyId });
