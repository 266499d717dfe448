import { z } from "zod";
import { CreateApiKeyRequest, UpdateApiKeyRequest } from "@/lib/keys/schemas";

/**
 * The key forms, mapped onto the API's own request schemas: the browser checks with these before
 * posting and the server actions parse with them again. Dollars become cents, an empty field
 * means none, and "every agent" is `agent_ids: null`.
 */

type KeyBody = z.input<typeof CreateApiKeyRequest>;

const keyId = z.string().trim().min(1, "Which key?").max(200);
const DOLLARS = /^\d{1,7}(\.\d{1,2})?$/;

/** What only the form has (an amount in dollars, the scope switch); the API's schema checks the rest. */
const formOnly = z
  .object({
    budget_usd: z
      .string()
      .trim()
      .refine((value) => value === "" || DOLLARS.test(value), "Enter an amount in US dollars (up to 9999999.99), e.g. 50 or 12.50")
      .optional(),
    agent_scope: z.enum(["all", "some"], { error: "Choose every agent or some agents" }).optional(),
  })
  // Its fields reach the API's schema mapped (dollars to cents); the parsed form carries only the mapped body.
  .transform(() => ({}));

const formFields = z.object({
  label: z.string().optional(),
  agent_scope: z.string().optional(),
  /** One checked box arrives as a string, several as an array. */
  agent_ids: z.union([z.string(), z.array(z.string())]).optional(),
  budget_usd: z.string().trim().optional(),
  budget_period: z.string().optional(),
  response_url: z.string().trim().optional(),
});

function keyBody(fields: z.output<typeof formFields>): KeyBody {
  const label = fields.label?.trim();
  const amount = fields.budget_usd ?? "";
  // An amount that is no amount is formOnly's to report; leaving it out keeps the API's check quiet about it.
  const budget = amount === "" ? null : DOLLARS.test(amount) ? Math.round(Number(amount) * 100) : undefined;
  return {
    ...(label ? { label } : {}),
    agent_ids: fields.agent_scope === "some" ? [fields.agent_ids ?? []].flat() : null,
    ...(budget === undefined ? {} : { budget_usd_cents: budget }),
    // The API's enum checks the period right after this mapping.
    budget_period: budget === null ? null : ((fields.budget_period ?? null) as KeyBody["budget_period"]),
    response_url: fields.response_url || null,
  };
}

/*
 * An intersection runs both checks on every post, so the form reports all its errors at once (a
 * pipe would stop at the first stage's).
 */
export const CreateKeyForm = z.intersection(formOnly, formFields.transform(keyBody).pipe(CreateApiKeyRequest));

/** Sends every setting: the form shows them all, so what is left empty is cleared (an empty label keeps the current one). */
export const UpdateKeyForm = z.intersection(
  formOnly,
  formFields
    .extend({ id: keyId })
    .transform(({ id, ...fields }) => ({ id, ...keyBody(fields) }))
    .pipe(UpdateApiKeyRequest.extend({ id: keyId })),
);

export const KeyIdForm = z.object({ id: keyId });
