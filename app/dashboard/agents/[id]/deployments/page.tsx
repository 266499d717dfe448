import { ANY_MEMBER, OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import { listManagedKeys } from "@/lib/keys/manage";
import { askToolName } from "@/lib/mcp";
import { Card } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Table, Td, Th } from "@/components/ui/table";
import { loadAgentPage } from "../load";
import { DeploymentKeyForm } from "./key-form";
import { RevokeKeyForm } from "./revoke-form";
import { publicHost } from "./public-host";
import { deploymentSnippets } from "./snippets";

export default async function DeploymentsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { member, db, view } = await loadAgentPage(id);
  const { agent } = view;
  const canManage = (OWNERS_AND_ADMINS as readonly string[]).includes(member.role);
  const canRevoke = (ANY_MEMBER as readonly string[]).includes(member.role);
  // Your own keys limited to this agent alone, as the key API lists them to you.
  const [yourKeys, host] = await Promise.all([listManagedKeys(db, member), publicHost()]);
  const keys = yourKeys.filter((key) => !key.revokedAt && key.agentIds?.length === 1 && key.agentIds[0] === agent.id);
  const snippets = deploymentSnippets(host, { uuid: agent.id, publicId: agent.publicId, mcpTool: askToolName(agent) });

  return (
    <div className="grid gap-6">
      <Card className="grid gap-4">
        <div>
          <h2 className="font-medium">Connection keys</h2>
          <p className="mt-1 text-sm text-text-muted">
            API keys limited to this agent: they run it on every door below and can reach nothing else. Listed here are your own; all keys
            are on the API keys page.
          </p>
        </div>
        {canManage ? (
          <DeploymentKeyForm agentId={agent.id} agentName={agent.name ?? "Agent"} />
        ) : (
          <p className="text-sm">Only owners and admins create connection keys; your role is {member.role}.</p>
        )}
        {keys.length === 0 ? (
          <p className="text-sm text-text-muted">You have no connection keys for this agent yet.</p>
        ) : (
          <Table caption="Your connection keys for this agent">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Key</Th>
                <Th>Created</Th>
                <Th>Last used</Th>
                {canRevoke ? (
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.id}>
                  <Td>{key.name}</Td>
                  <Td className="font-mono text-xs">
                    {key.start}…{key.last4}
                  </Td>
                  <Td>
                    <time dateTime={key.createdAt.toISOString()}>{key.createdAt.toISOString().slice(0, 10)}</time>
                  </Td>
                  <Td>
                    {key.lastUsedAt ? (
                      <time dateTime={key.lastUsedAt.toISOString()}>{key.lastUsedAt.toISOString().slice(0, 16).replace("T", " ")}</time>
                    ) : (
                      "never"
                    )}
                  </Td>
                  {canRevoke ? (
                    <Td>
                      <RevokeKeyForm agentId={agent.id} keyId={key.publicId} label={key.name} />
                    </Td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>

      <section aria-labelledby="snippets-heading" className="grid gap-4">
        <div>
          <h2 id="snippets-heading" className="font-medium">
            Call it
          </h2>
          <p className="mt-1 text-sm text-text-muted">
            Set <code className="font-mono">CONDUIT_KEY</code> to a connection key, then paste any of these.
          </p>
        </div>
        {snippets.map((snippet) => (
          <Card key={snippet.id} className="grid gap-2 p-4" aria-labelledby={`snippet-${snippet.id}`}>
            <div className="flex flex-wrap items-start justify-between gap-2">
              <div>
                <h3 id={`snippet-${snippet.id}`} className="text-sm font-medium">
                  {snippet.title}
                </h3>
                <p className="text-sm text-text-muted">{snippet.description}</p>
              </div>
              <CopyButton value={snippet.code} label={`Copy ${snippet.title}`} />
            </div>
            <pre className="overflow-x-auto rounded-md bg-surface-muted p-3 font-mono text-xs" tabIndex={0}>
              {snippet.code}
            </pre>
          </Card>
        ))}
      </section>
    </div>
  );
}
