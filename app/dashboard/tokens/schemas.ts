import { z } from "zod";
import { CreatePersonalTokenRequest } from "@/lib/auth/token-schemas";

/**
 * The token form, mapped onto the API's request schema (checked in the browser, parsed again by
 * the server action): an empty name takes the default, and a date means "until the end of that
 * day, UTC".
 */
export const CreateTokenForm = z
  .object({
    name: z.string().optional(),
    expires_on: z
      .string()
      .trim()
      .regex(/^(\d{4}-\d{2}-\d{2})?$/, "Pick a date, or leave it empty for a token that never expires")
      .optional(),
  })
  .transform((fields): z.input<typeof CreatePersonalTokenRequest> => {
    const name = fields.name?.trim();
    return { ...(name ? { name } : {}), expires_at: fields.expires_on ? `${fields.expires_on}T23:59:59Z` : null };
  })
  .pipe(CreatePersonalTokenRequest);

export const TokenIdForm = z.object({ id: z.string().trim().min(1, "Which token?").max(200) });
