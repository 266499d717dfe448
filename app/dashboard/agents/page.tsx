import { Plus } from "lucide-react";
import Link from "next/link";
import { listAgentSummaries } from "@/lib/agents/manage";
import { OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import { getDb } from "@/lib/db";
import { pageLinks, pageParam } from "@/lib/forms/page-param";
import { currentMember } from "@/lib/session";
import { Button } from "@/components/ui/button";
import { EmptyState, PageHeader } from "@/components/ui/page";
import { Pager } from "@/components/ui/pager";
import { Table, Td, Th } from "@/components/ui/table";

export default async function AgentsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const member = await currentMember();
  const { page, limit, offset } = pageParam((await searchParams).page);
  const { agents, hasMore } = await listAgentSummaries(await getDb(), member.orgId, { limit, offset });
  const canManage = (OWNERS_AND_ADMINS as readonly string[]).includes(member.role);

  return (
    <div className="grid max-w-5xl gap-6">
      <PageHeader
        title="Agents"
        description="Each agent has instructions, a model and tools; try one here, then deploy it with a connection key."
        actions={
          canManage ? (
            <Button asChild>
              <Link href="/dashboard/agents/new">
                <Plus aria-hidden className="size-4" />
                New agent
              </Link>
            </Button>
          ) : null
        }
      />
      {agents.length === 0 && page === 1 ? (
        <EmptyState title="No agents yet.">
          {canManage ? "Create one with New agent, or through the Agents API." : "An owner or admin of the organisation can create one."}
        </EmptyState>
      ) : (
        <>
          <Table caption="Agents of the organisation">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Id</Th>
                <Th>Provider and model</Th>
                <Th>Tools</Th>
                <Th>Updated</Th>
              </tr>
            </thead>
            <tbody>
              {agents.map((agent) => (
                <tr key={agent.id}>
                  <Td>
                    <Link href={`/dashboard/agents/${agent.id}`} className="font-medium text-accent underline-offset-4 hover:underline">
                      {agent.name ?? "Untitled agent"}
                    </Link>
                  </Td>
                  <Td className="font-mono text-xs">{agent.publicId}</Td>
                  <Td>
                    {agent.providerName ?? "Deployment default"} · {agent.model ?? "default model"}
                  </Td>
                  <Td>{agent.toolCount}</Td>
                  <Td>
                    <time dateTime={agent.updatedAt.toISOString()}>{agent.updatedAt.toISOString().slice(0, 10)}</time>
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
          <Pager label="Pages of agents" {...pageLinks("/dashboard/agents", page, hasMore)} />
        </>
      )}
    </div>
  );
}
