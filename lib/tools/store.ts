import { and, asc, eq, inArray, ne } from "drizzle-orm";
import { TtlCache } from "@/lib/cache/ttl-cache";
import { config } from "@/lib/config";
import { newPublicId, tables, type Db, type Tool, type ToolType } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { processSingleton } from "@/lib/runtime/singleton";
import type { AgentToolResponse } from "@/lib/contracts";
import { maskHeaders, openHeaders, sealHeaders } from "./header-secrets";
import type { HttpToolConfig } from "./http";
import type { McpServerConfig } from "./mcp";
import type { A2aAgentConfig } from "./a2a";

/** Conduit API operations a `soat` tool can offer the model. */
export const SOAT_ACTIONS = ["agents:CreateAgentGeneration", "agents:ListAgents", "agents:GetAgent"] as const;

export interface ToolDefinition {
  name: string;
  type: ToolType;
  description: string | null;
  parameters: Record<string, unknown> | null;
  execute: HttpToolConfig | null;
  mcp: McpServerConfig | null;
  a2a: A2aAgentConfig | null;
  actions: string[] | null;
  presetParameters: Record<string, unknown> | null;
  gated: boolean;
}

/** What each type needs to run; checked on create and on every update. */
function assertRunnable(tool: ToolDefinition): void {
  if (tool.gated && tool.type === "client") throw new ApiError("BAD_REQUEST", "client tools run on the caller's side and cannot be gated");
  if (tool.type === "http" && !tool.execute) throw new ApiError("BAD_REQUEST", "http tools need execute.url");
  if (tool.type === "mcp" && !tool.mcp) throw new ApiError("BAD_REQUEST", "mcp tools need mcp.url");
  if (tool.type === "a2a" && !tool.a2a) throw new ApiError("BAD_REQUEST", "a2a tools need a2a.url");
  if (tool.type === "soat") {
    if (!tool.actions?.length) throw new ApiError("BAD_REQUEST", "soat tools need at least one action");
    const unknown = tool.actions.filter((action) => !(SOAT_ACTIONS as readonly string[]).includes(action));
    if (unknown.length > 0) {
      throw new ApiError("BAD_REQUEST", `Unsupported actions: ${unknown.join(", ")} (supported: ${SOAT_ACTIONS.join(", ")})`);
    }
  }
}

/** An http tool's `execute`, an MCP tool's `mcp` or an A2A tool's `a2a` with its header values encrypted (masked ones kept from `storedHeaders`). */
function sealConfig<T extends { headers?: Record<string, string> }>(config: T | null, storedHeaders?: Record<string, string>): T | null {
  if (!config) return null;
  const headers = sealHeaders(config.headers, storedHeaders);
  return headers ? { ...config, headers } : config;
}

export async function createTool(db: Db, orgId: string, definition: ToolDefinition): Promise<Tool> {
  assertRunnable(definition);
  const [tool] = await db
    .insert(tables.tools)
    .values({
      ...definition,
      execute: sealConfig(definition.execute),
      mcp: sealConfig(definition.mcp),
      a2a: sealConfig(definition.a2a),
      orgId,
      publicId: newPublicId("tool"),
    })
    .returning();
  return tool!;
}

export function listTools(db: Db, orgId: string): Promise<Tool[]> {
  return db.select().from(tables.tools).where(eq(tables.tools.orgId, orgId)).orderBy(asc(tables.tools.createdAt));
}

export async function getTool(db: Db, orgId: string, publicId: string): Promise<Tool> {
  const [tool] = await db
    .select()
    .from(tables.tools)
    .where(and(eq(tables.tools.orgId, orgId), eq(tables.tools.publicId, publicId)))
    .limit(1);
  if (!tool) throw notFound("Tool");
  return tool;
}

export async function updateTool(db: Db, orgId: string, publicId: string, changes: Partial<ToolDefinition>): Promise<Tool> {
  const current = await getTool(db, orgId, publicId);
  const next: ToolDefinition = {
    name: changes.name ?? current.name,
    type: changes.type ?? current.type,
    description: changes.description === undefined ? current.description : changes.description,
    parameters: changes.parameters === undefined ? current.parameters : changes.parameters,
    // New settings sent without headers keep the stored ones (still encrypted).
    execute: changes.execute === undefined ? current.execute : sealConfig(changes.execute, current.execute?.headers),
    mcp: changes.mcp === undefined ? current.mcp : sealConfig(changes.mcp, current.mcp?.headers),
    a2a: changes.a2a === undefined ? current.a2a : sealConfig(changes.a2a, current.a2a?.headers),
    actions: changes.actions === undefined ? current.actions : changes.actions,
    presetParameters: changes.presetParameters === undefined ? current.presetParameters : changes.presetParameters,
    gated: changes.gated ?? current.gated,
  };
  assertRunnable(next);
  if (next.name !== current.name) await assertNameFreeOnItsAgents(db, current, next.name);
  const [tool] = await db
    .update(tables.tools)
    .set({ ...next, updatedAt: new Date() })
    .where(eq(tables.tools.id, current.id))
    .returning();
  forgetCachedTools();
  return tool!;
}

export async function deleteTool(db: Db, orgId: string, publicId: string): Promise<void> {
  const tool = await getTool(db, orgId, publicId);
  await db.delete(tables.tools).where(eq(tables.tools.id, tool.id));
  forgetCachedTools();
}

/**
 * The tools to attach to one agent, by public id in the order given; unknown ids are a 400, and
 * so are two tools of one name (the model calls tools by name).
 */
export async function resolveToolIds(db: Db, orgId: string, publicIds: string[]): Promise<Tool[]> {
  if (publicIds.length === 0) return [];
  const found = await db
    .select()
    .from(tables.tools)
    .where(and(eq(tables.tools.orgId, orgId), inArray(tables.tools.publicId, publicIds)));
  const byId = new Map(found.map((tool) => [tool.publicId, tool]));
  const missing = publicIds.filter((id) => !byId.has(id));
  if (missing.length > 0) throw new ApiError("BAD_REQUEST", `Unknown tool_ids: ${missing.join(", ")}`);
  const tools = [...new Set(publicIds)].map((id) => byId.get(id)!);
  const byName = new Map<string, Tool>();
  for (const tool of tools) {
    const named = byName.get(tool.name);
    if (named) {
      throw new ApiError(
        "BAD_REQUEST",
        `Tool names must be unique on an agent: ${named.publicId} and ${tool.publicId} are both named "${tool.name}"`,
      );
    }
    byName.set(tool.name, tool);
  }
  return tools;
}

/** A renamed tool must not take the name of another tool on an agent it is attached to. */
async function assertNameFreeOnItsAgents(db: Db, tool: Tool, name: string): Promise<void> {
  const agentsOfTool = db
    .select({ agentId: tables.agentTools.agentId })
    .from(tables.agentTools)
    .where(eq(tables.agentTools.toolId, tool.id));
  const [clash] = await db
    .select({ toolPublicId: tables.tools.publicId, agentPublicId: tables.agents.publicId })
    .from(tables.agentTools)
    .innerJoin(tables.tools, eq(tables.tools.id, tables.agentTools.toolId))
    .innerJoin(tables.agents, eq(tables.agents.id, tables.agentTools.agentId))
    .where(and(inArray(tables.agentTools.agentId, agentsOfTool), eq(tables.tools.name, name), ne(tables.tools.id, tool.id)))
    .limit(1);
  if (clash) {
    throw new ApiError(
      "BAD_REQUEST",
      `Tool names must be unique on an agent: agent ${clash.agentPublicId} already has a tool named "${name}" (${clash.toolPublicId})`,
    );
  }
}

/** The tools attached to an agent, in attachment order. */
export async function toolsOfAgent(db: Db, agentId: string): Promise<Tool[]> {
  const rows = await db
    .select({ tool: tables.tools })
    .from(tables.agentTools)
    .innerJoin(tables.tools, eq(tables.tools.id, tables.agentTools.toolId))
    .where(eq(tables.agentTools.agentId, agentId))
    .orderBy(asc(tables.agentTools.position));
  return rows.map((row) => row.tool);
}

export function serializeTool(tool: Tool): AgentToolResponse {
  return {
    id: tool.publicId,
    project_id: tool.orgId,
    name: tool.name,
    type: tool.type,
    description: tool.description,
    parameters: tool.parameters,
    execute: tool.execute && { ...tool.execute, headers: maskHeaders(tool.execute.headers) },
    mcp: tool.mcp && { ...tool.mcp, headers: maskHeaders(tool.mcp.headers) },
    a2a: tool.a2a && { ...tool.a2a, headers: maskHeaders(tool.a2a.headers) },
    actions: tool.actions,
    preset_parameters: tool.presetParameters,
    gated: tool.gated,
    created_at: tool.createdAt.toISOString(),
    updated_at: tool.updatedAt.toISOString(),
  };
}

// Every run reads its agent's tools: cached briefly like agents, dropped when tools change here
// (other instances catch up within the TTL).
const toolsByAgent = () => processSingleton("tools:by-agent", () => new TtlCache<Tool[]>(config().KEY_CACHE_TTL_MS));

/** A stored tool as it runs: its header values decrypted. */
function runnable(tool: Tool): Tool {
  return {
    ...tool,
    execute: tool.execute && { ...tool.execute, headers: openHeaders(tool.execute.headers) },
    mcp: tool.mcp && { ...tool.mcp, headers: openHeaders(tool.mcp.headers) },
    a2a: tool.a2a && { ...tool.a2a, headers: openHeaders(tool.a2a.headers) },
  };
}

/** The tools attached to an agent, ready to run (header values decrypted), from a short cache: the run pipeline's read. */
export function cachedToolsOfAgent(db: Db, agentId: string): Promise<Tool[]> {
  return toolsByAgent().get(agentId, async () => (await toolsOfAgent(db, agentId)).map(runnable));
}

export function forgetCachedTools(): void {
  toolsByAgent().clear();
}
