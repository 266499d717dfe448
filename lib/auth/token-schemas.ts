import { z } from "zod";

/**
 * The personal-token API's request schema. Nothing server-only here: the dashboard's form checks
 * input in the browser with this same schema.
 */
export const CreatePersonalTokenRequest = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'A name to recognise the token by; "Personal access token" if absent' }),
  expires_at: z.iso
    .datetime({ offset: true, error: "expires_at must be an ISO 8601 date-time, e.g. 2030-01-31T00:00:00Z" })
    .nullable()
    .optional()
    .meta({ description: "When the token stops working; null or absent: never" }),
});
