import { listAiProviders } from "@/lib/agents/providers";
import { ANY_MEMBER } from "@/lib/auth/user-tokens";
import { toolsOfAgent } from "@/lib/tools/store";
import { Badge } from "@/components/ui/badge";
import { Card, Notice } from "@/components/ui/card";
import { loadAgentPage } from "./load";
import { TryPane } from "./try-pane";

/** The agent at a glance (model, limits, tools and which are gated) beside a pane to try it. */
export default async function AgentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { member, db, view } = await loadAgentPage(id);
  const { agent } = view;
  const [tools, providers] = await Promise.all([toolsOfAgent(db, agent.id), listAiProviders(db, member.orgId)]);
  const provider = providers.find((candidate) => candidate.publicId === view.providerPublicId);
  const toolChoice = typeof agent.toolChoice?.type === "string" ? agent.toolChoice.type : "auto";

  return (
    <div className="grid gap-6 lg:grid-cols-[1fr_18rem]">
      {(ANY_MEMBER as readonly string[]).includes(member.role) ? (
        <TryPane agentId={agent.id} />
      ) : (
        <Notice className="h-fit">Reviewers read agents and decide reviews; running an agent takes the role member or above.</Notice>
      )}
      <Card className="grid h-fit gap-4 text-sm">
        <h2 className="font-medium">How it runs</h2>
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
          <dt className="text-text-muted">Provider</dt>
          <dd>{provider?.name ?? "Deployment default"}</dd>
          <dt className="text-text-muted">Model</dt>
          <dd>{agent.model ?? provider?.defaultModel ?? "default"}</dd>
          <dt className="text-text-muted">Max steps</dt>
          <dd>{agent.maxSteps ?? 10}</dd>
          <dt className="text-text-muted">Temperature</dt>
          <dd>{agent.temperature ?? "model default"}</dd>
          <dt className="text-text-muted">Tool use</dt>
          <dd>{toolChoice}</dd>
        </dl>
        <div className="grid gap-2">
          <h3 className="font-medium">Tools</h3>
          {tools.length === 0 ? (
            <p className="text-text-muted">No tools attached.</p>
          ) : (
            <ul className="grid gap-1">
              {tools.map((tool) => (
                <li key={tool.id} className="flex flex-wrap items-center gap-2">
                  <span className="font-mono text-xs">{tool.name}</span>
                  <Badge>{tool.type}</Badge>
                  {tool.gated ? <Badge tone="warn">gated</Badge> : null}
                </li>
              ))}
            </ul>
          )}
        </div>
        <p className="text-xs text-text-muted">
          Runs here are recorded as door “dashboard” with a trace, and count against the organisation’s monthly plan.
        </p>
      </Card>
    </div>
  );
}
