import { listAgentViews } from "@/lib/agents/manage";
import { getDb } from "@/lib/db";
import { currentMember } from "@/lib/session";
import { Card } from "@/components/ui/card";

export default async function AgentsPage() {
  const member = await currentMember();
  const agents = await listAgentViews(await getDb(), member.orgId);
  return (
    <div className="grid max-w-5xl gap-6">
      <h1 className="text-2xl font-semibold">Agents</h1>
      {agents.length === 0 ? (
        <Card>
          <p className="text-sm text-text-muted">No agents yet. Create one through the Agents API (`POST /api/v1/agents`).</p>
        </Card>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-border">
          <table className="w-full text-left text-sm">
            <thead className="bg-surface-muted">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">
                  Name
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Id
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Model
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Tools
                </th>
              </tr>
            </thead>
            <tbody>
              {agents.map(({ agent, toolPublicIds }) => (
                <tr key={agent.id} className="border-t border-border">
                  <td className="px-4 py-2">{agent.name}</td>
                  <td className="px-4 py-2 font-mono text-xs">{agent.publicId}</td>
                  <td className="px-4 py-2">{agent.model ?? "provider default"}</td>
                  <td className="px-4 py-2">{toolPublicIds.length}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
