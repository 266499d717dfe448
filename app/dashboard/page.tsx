import Link from "next/link";
import { listAgentViews } from "@/lib/agents/manage";
import { getDb } from "@/lib/db";
import { currentMember } from "@/lib/session";
import { Card } from "@/components/ui/card";

export default async function OverviewPage() {
  const member = await currentMember();
  const agents = await listAgentViews(await getDb(), member.orgId);
  return (
    <div className="grid max-w-4xl gap-6">
      <h1 className="text-2xl font-semibold">Welcome, {member.name}</h1>
      <Card>
        <h2 className="font-medium">Agents</h2>
        <p className="mt-1 text-sm text-text-muted">
          {agents.length === 0 ? "No agents yet." : `${agents.length} agent${agents.length === 1 ? "" : "s"} in ${member.orgName}.`}{" "}
          <Link href="/dashboard/agents" className="text-accent underline underline-offset-4">
            See them
          </Link>
        </p>
      </Card>
    </div>
  );
}
