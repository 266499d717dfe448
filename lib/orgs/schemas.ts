import { z } from "zod";

/**
 * The settings forms, checked with the same schemas in the browser and in the server actions.
 * This file imports nothing server-only, so client components can use it.
 */

export const MEMBER_ROLES = ["owner", "admin", "member", "reviewer"] as const;

/** How long an invitation link works. */
export const INVITATION_TTL_DAYS = 7;

const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "Enter a valid email address" }).max(254, "At most 254 characters"));

const role = z.enum(MEMBER_ROLES, { message: "Choose a role" });

/** A form's empty number box means "no limit" (null), as `null` does on PUT /api/organisation. */
const limitField = z
  .string()
  .trim()
  .transform((value, context) => {
    if (value === "") return null;
    const number = Number(value);
    if (!Number.isSafeInteger(number) || number < 0 || number > 2_147_483_647) {
      context.addIssue({ code: "custom", message: "A whole number of 0 or more, or empty for no limit" });
      return z.NEVER;
    }
    return number;
  });

/** PUT /api/organisation as a form: a checkbox is absent when off. */
export const OrganisationForm = z.object({
  name: z.string().trim().min(1, "Name the organisation").max(200, "At most 200 characters"),
  api_channel_enabled: z
    .literal("on")
    .optional()
    .transform((value) => value === "on"),
  billing_mode: z.enum(["hosted", "byok"], { message: "Choose hosted or byok" }),
  monthly_message_limit: limitField,
  monthly_token_limit: limitField,
});

export const InviteForm = z.object({ email, role });

export const ChangeRoleForm = z.object({ user_id: z.uuid(), role });

export const RemoveMemberForm = z.object({ user_id: z.uuid() });

export const RevokeInvitationForm = z.object({ invitation_id: z.string().min(1).max(100) });

export const SwitchOrganisationForm = z.object({ org_id: z.uuid({ message: "Choose an organisation" }) });
