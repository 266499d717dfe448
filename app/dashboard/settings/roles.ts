import type { MemberRole } from "@/lib/accounts";

/* Client-safe: the member controls use these too. */

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
