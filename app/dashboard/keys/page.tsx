import type { Metadata } from "next";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState, PageHeader } from "@/components/ui/page";
import { Pager } from "@/components/ui/pager";
import { Table, Td, Th } from "@/components/ui/table";
import { ANY_MEMBER, OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import { getDb } from "@/lib/db";
import { pageLinks, pageParam } from "@/lib/forms/page-param";
import { keyAgentChoices, keyStatus, managedKeysDetails, pageOfManagedKeys } from "@/lib/keys/manage";
import { currentMember } from "@/lib/session";
import { holds, NoKeysForReviewers } from "./access";
import { budgetText, keyHint, periodText, usd } from "./format";
import { StatusBadge } from "./status-badge";

export const metadata: Metadata = { title: "API keys · Conduit" };

export default async function KeysPage({ searchParams }: { searchParams: Promise<{ page?: string | string[] }> }) {
  const member = await currentMember();
  const header = (canMint: boolean) => (
    <PageHeader
      title="API keys"
      description={`Your keys in ${member.orgName}: what each may use and spend, and what it used this period.`}
      actions={
        canMint ? (
          <Button asChild>
            <Link href="/dashboard/keys/new">Create key</Link>
          </Button>
        ) : null
      }
    />
  );
  if (!holds(ANY_MEMBER, member)) {
    return (
      <div className="grid max-w-6xl gap-6">
        {header(false)}
        <NoKeysForReviewers />
      </div>
    );
  }
  const canMint = holds(OWNERS_AND_ADMINS, member);
  const { page, limit, offset } = pageParam((await searchParams).page);
  const db = await getDb();
  const [{ keys, hasMore }, agents] = await Promise.all([
    pageOfManagedKeys(db, member, { limit, offset }),
    keyAgentChoices(db, member.orgId),
  ]);
  const details = await managedKeysDetails(db, keys);
  const agentName = new Map(agents.map((agent) => [agent.publicId, agent.name ?? agent.publicId]));
  const links = pageLinks("/dashboard/keys", page, hasMore);
  return (
    <div className="grid max-w-6xl gap-6">
      {header(canMint)}
      {details.length === 0 ? (
        <EmptyState title={page > 1 ? "No more keys." : "No API keys yet."}>
          {canMint
            ? "Create one to call your agents from your own code; its secret is shown once."
            : "Only owners and admins create keys. Keys you created appear here, and you may revoke them."}
        </EmptyState>
      ) : (
        <Table caption="Your API keys">
          <thead>
            <tr>
              <Th>Label</Th>
              <Th>Key</Th>
              <Th>Agents</Th>
              <Th>Budget</Th>
              <Th>Usage this period</Th>
              <Th>Status</Th>
              <Th>Created</Th>
              <Th>Last used</Th>
            </tr>
          </thead>
          <tbody>
            {details.map((key, index) => (
              <tr key={key.id}>
                <Td>
                  <Link href={`/dashboard/keys/${key.id}`} className="font-medium text-accent underline underline-offset-4">
                    {key.label}
                  </Link>
                </Td>
                <Td className="font-mono text-xs whitespace-nowrap">{keyHint(key)}</Td>
                <Td>
                  {key.agent_ids === null
                    ? "Every agent"
                    : key.agent_ids.length === 0
                      ? "None left"
                      : key.agent_ids.map((id) => agentName.get(id) ?? id).join(", ")}
                </Td>
                <Td className="whitespace-nowrap">{budgetText(key)}</Td>
                <Td>
                  <span className="whitespace-nowrap">
                    {usd(key.usage.spent_usd_cents)}
                    {key.budget_usd_cents !== null ? ` of ${usd(key.budget_usd_cents)}` : ""}
                  </span>
                  <span className="block text-xs text-text-muted">
                    {key.usage.requests.toLocaleString("en-US")} requests ·{" "}
                    {(key.usage.input_tokens + key.usage.output_tokens).toLocaleString("en-US")} tokens, {periodText(key.budget_period)}
                  </span>
                </Td>
                <Td>
                  <StatusBadge status={keyStatus(keys[index]!)} />
                </Td>
                <Td className="whitespace-nowrap">
                  <DateTime value={key.created_at} />
                </Td>
                <Td className="whitespace-nowrap">
                  <DateTime value={key.last_used_at} empty="Never" />
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <Pager previous={links.previous} next={links.next} label="API key pages" />
    </div>
  );
}
