import { jsonSchema, tool, type ToolSet } from "ai";
import type { Tool } from "@/lib/db";
import { WRITE_MEMORY_TOOL, writeMemoryToolSchema } from "@/lib/knowledge";
import { connectA2aAgent, type A2aAgentConfig, type A2aCaller } from "@/lib/tools/a2a";
import { executeHttpTool, type HttpToolConfig } from "@/lib/tools/http";
import { ToolError } from "@/lib/tools/errors";
import { openMcpConnection, type McpConnection, type McpServerConfig } from "@/lib/tools/mcp";
import type { StepRecorder } from "./recorder";

/** What tools may do on behalf of the generation that runs them. */
export interface ToolRuntime {
  recorder: StepRecorder;
  toolContext: Record<string, string> | null;
  signal: AbortSignal;
  /** The generation's place in its trace tree: remote agents file their runs under it. */
  trace: A2aCaller;
  /** Runs another agent of the same organisation as a child of this generation. */
  callAgent(agentRef: string, message: string): Promise<unknown>;
  listAgents(): Promise<unknown>;
  getAgent(agentRef: string): Promise<unknown>;
  /**
   * Asks the approval gate about a call of a gated tool: true pauses the run until a reviewer
   * decides; a rule's reject is returned as a refusal (see refusals) instead of running the tool.
   */
  gate(toolName: string, toolCallId: string, input: unknown): Promise<boolean>;
  /** Tool calls the gate refused, with the reason the model is told. */
  refusals: Map<string, string>;
  /** Adds an entry to the agent's write_memory_id memory; null: the agent has no write_memory tool. */
  writeMemory: ((args: Record<string, unknown>) => Promise<unknown>) | null;
}

export interface BuiltTools {
  tools: ToolSet;
  /** Model-facing names of the tools offered (null: all). */
  activeTools: string[] | null;
  /** Model-facing names of the given tools (`agt_tool_…` ids). */
  namesOf(toolIds: string[]): string[];
  clientToolNames: Set<string>;
  close(): Promise<void>;
}

type JsonObject = Record<string, unknown>;

const EMPTY_OBJECT_SCHEMA = { type: "object", properties: {} } as const;

const A2A_INPUT_SCHEMA = {
  type: "object",
  properties: { message: { type: "string", description: "What to tell or ask the remote agent" } },
  required: ["message"],
};

function inputSchema(parameters: JsonObject | null) {
  return jsonSchema<JsonObject>((parameters ?? EMPTY_OBJECT_SCHEMA) as Parameters<typeof jsonSchema>[0]);
}

/** Model-facing tool names allow letters, digits, `_` and `-`, at most 64 characters. */
function toolName(...parts: string[]): string {
  return parts
    .join("_")
    .replace(/[^a-zA-Z0-9_-]/g, "_")
    .slice(0, 64);
}

interface SoatAction {
  description: string;
  schema: { type: "object"; properties: Record<string, JsonObject>; required: string[] };
  run(runtime: ToolRuntime, args: JsonObject): Promise<unknown>;
}

const soatActions: Record<string, SoatAction> = {
  "agents:CreateAgentGeneration": {
    description: "Ask another agent of this project and return its answer",
    schema: {
      type: "object",
      properties: {
        agent_id: { type: "string", description: "The agent to ask (agt_…)" },
        message: { type: "string", description: "What to ask it" },
      },
      required: ["agent_id", "message"],
    },
    run: (runtime, args) => runtime.callAgent(String(args.agent_id), String(args.message)),
  },
  "agents:ListAgents": {
    description: "List the agents of this project",
    schema: { type: "object", properties: {}, required: [] },
    run: (runtime) => runtime.listAgents(),
  },
  "agents:GetAgent": {
    description: "Describe one agent of this project",
    schema: { type: "object", properties: { agent_id: { type: "string" } }, required: ["agent_id"] },
    run: (runtime, args) => runtime.getAgent(String(args.agent_id)),
  },
};

/** Preset parameters are injected at call time and hidden from the schema the model sees. */
function withoutPresets(schema: SoatAction["schema"], presets: JsonObject): SoatAction["schema"] {
  const properties = Object.fromEntries(Object.entries(schema.properties).filter(([key]) => !(key in presets)));
  return { ...schema, properties, required: schema.required.filter((key) => !(key in presets)) };
}

/**
 * Turns an agent's tools into AI SDK tools. Server-side tools (http, mcp, soat, a2a) execute here and
 * are traced; client tools have no execute, so the run stops and waits for the caller's outputs.
 */
export async function buildTools(
  agentTools: Tool[],
  settings: { activeToolIds: string[] | null; actionAllowed: (action: string) => boolean },
  runtime: ToolRuntime,
): Promise<BuiltTools> {
  const tools: ToolSet = {};
  const clientToolNames = new Set<string>();
  const namesByToolId = new Map<string, string[]>();
  const connections: McpConnection[] = [];
  /** A tool that runs here: traced, and for gated tools asked of the approval gate first. */
  const serverTool = (
    name: string,
    gated: boolean,
    description: string | undefined,
    schema: JsonObject | null,
    run: (args: JsonObject) => Promise<unknown>,
  ) =>
    tool({
      description,
      inputSchema: inputSchema(schema),
      needsApproval: gated
        ? (input: JsonObject, options: { toolCallId: string }) => runtime.gate(name, options.toolCallId, input)
        : undefined,
      execute: (args: JsonObject, options: { toolCallId: string }) =>
        runtime.recorder.tool(name, options.toolCallId, args, async () => {
          const refusal = runtime.refusals.get(options.toolCallId);
          return refusal === undefined ? run(args) : { refused: true, reason: refusal };
        }),
    });

  try {
    for (const agentTool of agentTools) {
      const names: string[] = [];
      if (agentTool.type === "client") {
        tools[agentTool.name] = tool({ description: agentTool.description ?? undefined, inputSchema: inputSchema(agentTool.parameters) });
        clientToolNames.add(agentTool.name);
        names.push(agentTool.name);
      } else if (agentTool.type === "http") {
        const config = agentTool.execute as unknown as HttpToolConfig;
        tools[agentTool.name] = serverTool(
          agentTool.name,
          agentTool.gated,
          agentTool.description ?? undefined,
          agentTool.parameters,
          (args) => executeHttpTool({ config, args, context: runtime.toolContext, signal: runtime.signal }),
        );
        names.push(agentTool.name);
      } else if (agentTool.type === "mcp") {
        const server = agentTool.mcp as unknown as McpServerConfig;
        const opened = await openMcpConnection(server, runtime.signal).then(
          (connection) => ({ connection, failure: null }),
          (error: unknown) => {
            if (runtime.signal.aborted) throw error;
            return { connection: null, failure: error instanceof ToolError ? error : new ToolError(`MCP server failed: ${String(error)}`) };
          },
        );
        if (opened.connection) {
          const connection = opened.connection;
          connections.push(connection);
          for (const remote of connection.tools) {
            const name = toolName(agentTool.name, remote.name);
            tools[name] = serverTool(name, agentTool.gated, remote.description, remote.inputSchema, (args) =>
              connection.call(remote.name, args, runtime.signal),
            );
            names.push(name);
          }
        } else {
          // A server refused by the address guard, down or failing does not fail the run: its
          // tools (the listed ones, or one named after the tool) answer every call with a tool
          // error saying why, which the model sees and can work around.
          const failure = opened.failure;
          const listed = server.tools ?? [];
          for (const name of listed.length > 0 ? listed.map((remote) => toolName(agentTool.name, remote)) : [agentTool.name]) {
            tools[name] = serverTool(name, agentTool.gated, agentTool.description ?? undefined, null, async () => {
              throw failure;
            });
            names.push(name);
          }
        }
      } else if (agentTool.type === "a2a") {
        // One remote agent per tool, and one conversation with it per run.
        const remote = connectA2aAgent(agentTool.a2a as unknown as A2aAgentConfig, runtime.trace);
        // An unreachable card does not fail the run: the calls will say why.
        const description = agentTool.description ?? (await remote.describe().catch(() => "Ask a remote agent (A2A)"));
        tools[agentTool.name] = serverTool(agentTool.name, agentTool.gated, description, A2A_INPUT_SCHEMA, (args) =>
          remote.send(String(args.message), runtime.signal),
        );
        names.push(agentTool.name);
      } else {
        const presets = agentTool.presetParameters ?? {};
        const declared = agentTool.actions ?? [];
        // The agent's boundary policy removes actions before the model ever sees them.
        for (const actionName of declared.filter(settings.actionAllowed)) {
          const action = soatActions[actionName];
          if (!action) continue;
          const name = declared.length === 1 ? agentTool.name : toolName(agentTool.name, actionName.split(":")[1] ?? actionName);
          tools[name] = serverTool(
            name,
            agentTool.gated,
            agentTool.description ?? action.description,
            withoutPresets(action.schema, presets),
            (args) => action.run(runtime, { ...args, ...presets }),
          );
          names.push(name);
        }
      }
      namesByToolId.set(agentTool.publicId, names);
    }
  } catch (error) {
    await Promise.all(connections.map((connection) => connection.close().catch(() => undefined)));
    throw error;
  }

  // Built in with knowledge_config's write_memory_id; an attached tool of the same name wins.
  const builtIn: string[] = [];
  if (runtime.writeMemory && !(WRITE_MEMORY_TOOL in tools)) {
    tools[WRITE_MEMORY_TOOL] = serverTool(
      WRITE_MEMORY_TOOL,
      false,
      "Remember something for later conversations: it is stored in this agent's memory and found again when relevant",
      writeMemoryToolSchema,
      runtime.writeMemory,
    );
    builtIn.push(WRITE_MEMORY_TOOL);
  }

  const namesOf = (toolIds: string[]) => toolIds.flatMap((id) => namesByToolId.get(id) ?? []);
  return {
    tools,
    // active_tool_ids choose among attached tools; built-in ones stay offered.
    activeTools: settings.activeToolIds ? [...namesOf(settings.activeToolIds), ...builtIn] : null,
    namesOf,
    clientToolNames,
    close: async () => {
      await Promise.all(connections.map((connection) => connection.close().catch(() => undefined)));
    },
  };
}
