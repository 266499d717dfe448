import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ApiKeyAuth } from "@/lib/auth";
import type { GateCaller } from "@/lib/auth/gate-agent";
import type { Db } from "@/lib/db";
import type { RequestContext } from "@/lib/http";
import { agentToolsFor, AskAgentInput, askAgent } from "./agents";
import { RequestApprovalInput, requestApproval } from "./gate";
import { toolError } from "./results";
import { CreateTaskInput, createTask, GetTaskInput, readTask } from "./tasks";

/**
 * Who the server is built for: a Conduit API key (its agents and the task gateway), or a gate
 * agent's `sg_` key (the approval gate), each checked exactly as on its own HTTP door.
 */
export type McpIdentity = ({ kind: "api-key" } & ApiKeyAuth) | ({ kind: "gate-agent" } & GateCaller);

const SERVER_INFO = { name: "conduit", version: "1.0.0" };

/** Every tool answers refusals and failures as an `isError` result (see results.ts), never as a thrown error. */
const guarded =
  (context: RequestContext) =>
  (work: () => Promise<CallToolResult>): Promise<CallToolResult> =>
    work().catch((error: unknown) => toolError(error, context.requestId));

async function registerKeyTools(server: McpServer, db: Db, auth: ApiKeyAuth, request: Request, context: RequestContext): Promise<void> {
  const run = guarded(context);
  for (const tool of await agentToolsFor(db, auth)) {
    server.registerTool(
      tool.name,
      { title: `Ask ${tool.agent.name ?? tool.agent.publicId}`, description: tool.description, inputSchema: AskAgentInput },
      // The run stops when the client cancels the call or goes away.
      (args, extra) =>
        run(() => askAgent(db, auth, tool.agent, args, context, { ...extra, signal: AbortSignal.any([extra.signal, request.signal]) })),
    );
  }
  server.registerTool(
    "create_task",
    {
      title: "Hand an agent a task",
      description:
        "Queue a plain-English task for an agent (context.agent_id picks it; otherwise the key's first agent). Returns at once with " +
        "the task's conversation_uuid; the answer goes to the key's reply webhook and to get_task.",
      inputSchema: CreateTaskInput,
    },
    (args) => run(() => createTask(db, auth, args)),
  );
  server.registerTool(
    "get_task",
    {
      title: "Read a task",
      description:
        "A task's status (open, processing, waiting, resolved, failed), its turns with the agent's answer, and its webhook delivery.",
      inputSchema: GetTaskInput,
      annotations: { readOnlyHint: true },
    },
    (args) => run(() => readTask(db, auth, args.conversation_uuid)),
  );
}

function registerGateTools(server: McpServer, db: Db, caller: GateCaller, context: RequestContext): void {
  server.registerTool(
    "request_approval",
    {
      title: "Ask before a risky action",
      description:
        "Ask the approval gate whether this agent may perform an action: allowed or rejected at once by the tool's rules, or " +
        "pending_review with a thread a person decides.",
      inputSchema: RequestApprovalInput,
    },
    (args) => guarded(context)(() => requestApproval(db, caller, args)),
  );
}

/**
 * Answers one MCP request with a server built for this caller alone. Stateless: nothing is kept
 * between requests, so any instance can answer any request and a key's tools are always current.
 */
export async function handleMcpRequest(request: Request, body: unknown, identity: McpIdentity, db: Db, context: RequestContext) {
  const server = new McpServer(SERVER_INFO, { capabilities: { tools: { listChanged: false } } });
  if (identity.kind === "api-key") await registerKeyTools(server, db, identity, request, context);
  else registerGateTools(server, db, identity, context);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  await server.connect(transport);
  return transport.handleRequest(request, { parsedBody: body });
}
