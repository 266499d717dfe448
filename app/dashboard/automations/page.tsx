import { Plus } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState, PageHeader } from "@/components/ui/page";
import { Table, Td, Th } from "@/components/ui/table";
import { ANY_MEMBER, OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import { listAutomations } from "@/lib/automations";
import { getDb } from "@/lib/db";
import { assertRole, currentMember } from "@/lib/session";

export const metadata: Metadata = { title: "Automations · Conduit" };

export default async function AutomationsPage() {
  const member = await currentMember();
  // As on the API: every member reads automations and their runs; reviewers only review.
  assertRole(member, ANY_MEMBER);
  const automations = await listAutomations(await getDb(), member.orgId);
  const canManage = (OWNERS_AND_ADMINS as readonly string[]).includes(member.role);
  return (
    <div className="grid max-w-5xl gap-6">
      <PageHeader
        title="Automations"
        description="Steps that run when your services call a webhook: ask an agent, call a URL, check a condition, wait."
        actions={
          canManage ? (
            <Button asChild>
              <Link href="/dashboard/automations/new">
                <Plus aria-hidden className="size-4" />
                New automation
              </Link>
            </Button>
          ) : null
        }
      />
      {automations.length === 0 ? (
        <EmptyState title="No automations yet.">
          {canManage ? "Create one with New automation, or through the API." : "An owner or admin of the organisation can create one."}
        </EmptyState>
      ) : (
        <Table caption="Automations">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Status</Th>
              <Th>Steps</Th>
              <Th>Updated</Th>
            </tr>
          </thead>
          <tbody>
            {automations.map((automation) => (
              <tr key={automation.id}>
                <Td>
                  <Link
                    href={`/dashboard/automations/${automation.publicId}`}
                    className="font-medium text-accent underline-offset-4 hover:underline"
                  >
                    {automation.name}
                  </Link>
                </Td>
                <Td>{automation.publishedSteps ? <Badge tone="good">Published</Badge> : <Badge>Draft</Badge>}</Td>
                <Td>{(automation.publishedSteps ?? automation.draftSteps).length}</Td>
                <Td className="whitespace-nowrap">
                  <DateTime value={automation.updatedAt} />
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}
