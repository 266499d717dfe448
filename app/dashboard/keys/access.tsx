import Link from "next/link";
import { Notice } from "@/components/ui/card";
import type { MemberRole } from "@/lib/accounts";

/** Whether a member's role is among a route's roles (the actions check the same lists on the server). */
export function holds(roles: readonly MemberRole[], member: { role: MemberRole }): boolean {
  return roles.includes(member.role);
}

/** What a reviewer sees instead of keys: they review and hold none (the actions refuse them too). */
export function NoKeysForReviewers() {
  return (
    <Notice>
      Reviewers review threads and hold no API keys, so this page has nothing for you. Your{" "}
      <Link href="/dashboard/tokens" className="underline underline-offset-4">
        personal access tokens
      </Link>{" "}
      are yours to manage.
    </Notice>
  );
}
