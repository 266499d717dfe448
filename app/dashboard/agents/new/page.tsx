import Link from "next/link";
import { OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import { getDb } from "@/lib/db";
import { currentMember } from "@/lib/session";
import { Notice } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page";
import { AgentForm } from "../agent-form";
import { agentFormOptions } from "../options";

export default async function NewAgentPage() {
  const member = await currentMember();
  const header = <PageHeader title="New agent" description="Instructions, a model and tools; you can change all of them later." />;
  if (!(OWNERS_AND_ADMINS as readonly string[]).includes(member.role)) {
    return (
      <div className="grid max-w-2xl gap-6">
        {header}
        <Notice tone="error">Only owners and admins create agents; your role is {member.role}.</Notice>
      </div>
    );
  }
  const { providers, tools } = await agentFormOptions(await getDb(), member.orgId);
  return (
    <div className="grid max-w-2xl gap-6">
      {header}
      <p className="text-sm">
        <Link href="/dashboard/agents" className="text-accent underline underline-offset-4">
          Back to agents
        </Link>
      </p>
      {providers.length === 0 ? (
        <Notice>
          An agent needs an AI provider, and this organisation has none yet. Add one in Settings or with the Agents API (
          <code>POST /api/v1/ai-providers</code>; type <code>demo</code> is the offline demo model).
        </Notice>
      ) : (
        <AgentForm providers={providers} tools={tools} />
      )}
    </div>
  );
}
