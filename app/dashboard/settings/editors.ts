import type { MemberRole } from "@/lib/accounts";
import { OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";

/** The same list PUT /api/organisation admits: owners and admins change settings, everyone reads them. */
export const SETTINGS_EDITORS = OWNERS_AND_ADMINS;

export function canEditSettings(role: MemberRole): boolean {
  return (SETTINGS_EDITORS as readonly MemberRole[]).includes(role);
}
