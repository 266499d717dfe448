import { OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import { Card, Notice } from "@/components/ui/card";
import { AgentForm, type AgentFormValues } from "../../agent-form";
import { agentFormOptions } from "../../options";
import { loadAgentPage } from "../load";
import { DeleteAgentForm } from "./delete-form";

export default async function EditAgentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { member, db, view } = await loadAgentPage(id);
  if (!(OWNERS_AND_ADMINS as readonly string[]).includes(member.role)) {
    return <Notice>Only owners and admins change agents; your role is {member.role}. You can still try the agent.</Notice>;
  }
  const { providers, tools } = await agentFormOptions(db, member.orgId);
  const { agent } = view;
  const choice = agent.toolChoice?.type;
  const initial: AgentFormValues = {
    agentId: agent.id,
    name: agent.name ?? "",
    instructions: agent.instructions ?? "",
    providerId: view.providerPublicId ?? "",
    model: agent.model ?? "",
    temperature: agent.temperature === null ? "" : String(agent.temperature),
    maxSteps: agent.maxSteps === null ? "" : String(agent.maxSteps),
    toolChoice: choice === undefined ? "auto" : choice === "none" || choice === "required" || choice === "auto" ? choice : "unchanged",
    toolIds: view.toolPublicIds,
  };
  return (
    <div className="grid gap-8">
      <AgentForm providers={providers} tools={tools} initial={initial} />
      <Card className="grid max-w-2xl gap-3 border-danger/40">
        <h2 className="font-medium">Delete this agent</h2>
        <p className="text-sm text-text-muted">Its connection keys stop working for it, and its conversations and traces are deleted.</p>
        <DeleteAgentForm agentId={agent.id} />
      </Card>
    </div>
  );
}
