import type { MemberRole } from "@/lib/accounts";
import { OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";

/** The same list PUT /api/organisation admits: owners and admins change settings, everyone reads them. */
export const SETTINGS_EDITORS = OWNERS_AND_ADMINS;

export function canEditSettings(role: MemberRole): boolean {
  return (SETTINGS_EDITORS as readonly MemberRole[]).includes(role);
}

/** The roles a member may hand out: only an owner makes owners. */
export function assignableRoles(role: MemberRole): MemberRole[] {
  return role === "owner" ? ["owner", "admin", "member", "reviewer"] : ["admin", "member", "reviewer"];
}

export const ROLE_DESCRIPTIONS: Record<MemberRole, string> = {
  owner: "everything, including making owners",
  admin: "settings, members, keys and providers",
  member: "agents, their own keys and tokens",
  reviewer: "reviews only",
};
