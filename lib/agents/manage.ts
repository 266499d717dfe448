import { and, asc, count, desc, eq, inArray } from "drizzle-orm";
import { tables, UUID_PATTERN, type Agent, type Db } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import type { AgentResponse } from "@/lib/contracts";
import { forgetCachedTools, resolveToolIds, toolsOfAgent } from "@/lib/tools/store";
import { createAgent, forgetCachedAgents, isAgentRef, type AgentSettings } from "./index";
import { getAiProvider } from "./providers";

/**
 * An agent's fields as the Agents API names them; `undefined` leaves a field as it is. Declared
 * here, not inferred from lib/agents-api/schemas, so agents do not depend on that door: the
 * bodies its schemas parse must fit these types.
 */
interface AgentFields {
  name?: AgentSettings["name"];
  instructions?: AgentSettings["instructions"];
  model?: AgentSettings["model"];
  temperature?: AgentSettings["temperature"];
  max_steps?: AgentSettings["maxSteps"];
  tool_choice?: AgentSettings["toolChoice"];
  stop_conditions?: AgentSettings["stopConditions"];
  active_tool_ids?: AgentSettings["activeToolIds"];
  step_rules?: AgentSettings["stepRules"];
  boundary_policy?: AgentSettings["boundaryPolicy"];
  knowledge_config?: AgentSettings["knowledgeConfig"];
  /** Public ids of the tools to attach, replacing the attached ones. */
  tool_ids?: string[] | null;
}

export interface CreateAgentBody extends AgentFields {
  ai_provider_id: string;
}

export interface UpdateAgentBody extends AgentFields {
  ai_provider_id?: string;
}

export interface AgentView {
  agent: Agent;
  providerPublicId: string | null;
  toolPublicIds: string[];
}

/** An agent of this organisation by UUID or public id; malformed and foreign ids are simply not found. */
export async function getAgentRow(db: Db, orgId: string, ref: string): Promise<Agent> {
  if (!isAgentRef(ref)) throw notFound("Agent");
  const byId = UUID_PATTERN.test(ref) ? eq(tables.agents.id, ref) : eq(tables.agents.publicId, ref);
  const [agent] = await db
    .select()
    .from(tables.agents)
    .where(and(byId, eq(tables.agents.orgId, orgId)))
    .limit(1);
  if (!agent) throw notFound("Agent");
  return agent;
}

async function view(db: Db, agent: Agent): Promise<AgentView> {
  const [provider] = agent.aiProviderId
    ? await db
        .select({ publicId: tables.aiProviders.publicId })
        .from(tables.aiProviders)
        .where(eq(tables.aiProviders.id, agent.aiProviderId))
    : [];
  const tools = await toolsOfAgent(db, agent.id);
  return { agent, providerPublicId: provider?.publicId ?? null, toolPublicIds: tools.map((tool) => tool.publicId) };
}

/** `active_tool_ids`, and those of each step rule, must name tools attached to the agent. */
function assertActiveSubset(
  activeToolIds: string[] | null | undefined,
  stepRules: Array<{ active_tool_ids?: string[] }> | null | undefined,
  toolIds: string[],
): void {
  const named = [...(activeToolIds ?? []), ...(stepRules ?? []).flatMap((rule) => rule.active_tool_ids ?? [])];
  const outside = [...new Set(named.filter((id) => !toolIds.includes(id)))];
  if (outside.length > 0) throw new ApiError("BAD_REQUEST", `active_tool_ids must be attached tools; not attached: ${outside.join(", ")}`);
}

async function replaceTools(db: Db, orgId: string, agentId: string, publicIds: string[]): Promise<void> {
  const tools = await resolveToolIds(db, orgId, publicIds);
  await db.delete(tables.agentTools).where(eq(tables.agentTools.agentId, agentId));
  if (tools.length > 0) {
    await db.insert(tables.agentTools).values(tools.map((tool, position) => ({ agentId, toolId: tool.id, position })));
  }
}

/** Maps API fields to columns; `undefined` leaves a column as it is. */
function settingsFrom(body: Omit<UpdateAgentBody, "ai_provider_id">): AgentSettings {
  return {
    name: body.name,
    instructions: body.instructions,
    model: body.model,
    temperature: body.temperature,
    maxSteps: body.max_steps,
    toolChoice: body.tool_choice,
    stopConditions: body.stop_conditions,
    activeToolIds: body.active_tool_ids,
    stepRules: body.step_rules,
    boundaryPolicy: body.boundary_policy,
    knowledgeConfig: body.knowledge_config,
  };
}

export async function createAgentFromApi(db: Db, orgId: string, body: CreateAgentBody): Promise<AgentView> {
  const provider = await getAiProvider(db, orgId, body.ai_provider_id);
  const toolIds = body.tool_ids ?? [];
  assertActiveSubset(body.active_tool_ids, body.step_rules, toolIds);
  return db.transaction(async (tx) => {
    const agent = await createAgent(tx, { ...settingsFrom(body), orgId, aiProviderId: provider.id });
    await replaceTools(tx, orgId, agent.id, toolIds);
    return view(tx, agent);
  });
}

export async function updateAgentFromApi(db: Db, orgId: string, ref: string, body: UpdateAgentBody): Promise<AgentView> {
  const current = await getAgentRow(db, orgId, ref);
  const provider = body.ai_provider_id ? await getAiProvider(db, orgId, body.ai_provider_id) : null;
  const updated = await db.transaction(async (tx) => {
    if (body.tool_ids !== undefined) await replaceTools(tx, orgId, current.id, body.tool_ids ?? []);
    const toolIds = (await toolsOfAgent(tx, current.id)).map((tool) => tool.publicId);
    assertActiveSubset(
      body.active_tool_ids === undefined ? current.activeToolIds : body.active_tool_ids,
      body.step_rules === undefined ? current.stepRules : body.step_rules,
      toolIds,
    );
    const [agent] = await tx
      .update(tables.agents)
      .set({ ...settingsFrom(body), ...(provider ? { aiProviderId: provider.id } : {}), updatedAt: new Date() })
      .where(eq(tables.agents.id, current.id))
      .returning();
    return view(tx, agent!);
  });
  forgetCachedAgents();
  forgetCachedTools();
  return updated;
}

export async function deleteAgent(db: Db, orgId: string, ref: string): Promise<void> {
  const agent = await getAgentRow(db, orgId, ref);
  await db.delete(tables.agents).where(eq(tables.agents.id, agent.id));
  forgetCachedAgents();
}

export async function getAgentView(db: Db, orgId: string, ref: string): Promise<AgentView> {
  return view(db, await getAgentRow(db, orgId, ref));
}

export async function listAgentViews(db: Db, orgId: string): Promise<AgentView[]> {
  const agents = await db.select().from(tables.agents).where(eq(tables.agents.orgId, orgId)).orderBy(asc(tables.agents.createdAt));
  return Promise.all(agents.map((agent) => view(db, agent)));
}

/**
 * An organisation's agents, oldest first: who they are, not how they are set up. `only` limits
 * the list to some agents (those an API key may use); null lists them all.
 */
export function listAgentIdentities(
  db: Db,
  orgId: string,
  only: readonly string[] | null,
): Promise<Array<Pick<Agent, "id" | "publicId" | "createdAt">>> {
  if (only !== null && only.length === 0) return Promise.resolve([]);
  const a = tables.agents;
  return db
    .select({ id: a.id, publicId: a.publicId, createdAt: a.createdAt })
    .from(a)
    .where(and(eq(a.orgId, orgId), only === null ? undefined : inArray(a.id, [...only])))
    .orderBy(asc(a.createdAt), asc(a.id));
}

/** One row of the dashboard's agent list: the agent with its provider's name and how many tools it has. */
export interface AgentSummary {
  id: string;
  publicId: string;
  name: string | null;
  model: string | null;
  providerName: string | null;
  toolCount: number;
  updatedAt: Date;
}

/**
 * A page of an organisation's agents, newest first, in one query (a list must not cost a query
 * per row); `hasMore` says whether another page follows.
 */
export async function listAgentSummaries(
  db: Db,
  orgId: string,
  page: { limit: number; offset: number },
): Promise<{ agents: AgentSummary[]; hasMore: boolean }> {
  const toolCounts = db
    .select({ agentId: tables.agentTools.agentId, tools: count().as("tools") })
    .from(tables.agentTools)
    .groupBy(tables.agentTools.agentId)
    .as("tool_counts");
  const rows = await db
    .select({
      id: tables.agents.id,
      publicId: tables.agents.publicId,
      name: tables.agents.name,
      model: tables.agents.model,
      providerName: tables.aiProviders.name,
      toolCount: toolCounts.tools,
      updatedAt: tables.agents.updatedAt,
    })
    .from(tables.agents)
    .leftJoin(tables.aiProviders, eq(tables.aiProviders.id, tables.agents.aiProviderId))
    .leftJoin(toolCounts, eq(toolCounts.agentId, tables.agents.id))
    .where(eq(tables.agents.orgId, orgId))
    .orderBy(desc(tables.agents.createdAt), desc(tables.agents.id))
    .limit(page.limit + 1)
    .offset(page.offset);
  return {
    agents: rows.slice(0, page.limit).map((row) => ({ ...row, toolCount: Number(row.toolCount ?? 0) })),
    hasMore: rows.length > page.limit,
  };
}

export function serializeAgent({ agent, providerPublicId, toolPublicIds }: AgentView): AgentResponse {
  return {
    id: agent.publicId,
    uuid: agent.id,
    project_id: agent.orgId,
    ai_provider_id: providerPublicId,
    name: agent.name,
    instructions: agent.instructions,
    model: agent.model,
    tool_ids: toolPublicIds,
    max_steps: agent.maxSteps,
    tool_choice: agent.toolChoice,
    stop_conditions: agent.stopConditions,
    active_tool_ids: agent.activeToolIds,
    step_rules: agent.stepRules,
    boundary_policy: agent.boundaryPolicy,
    temperature: agent.temperature,
    knowledge_config: agent.knowledgeConfig,
    created_at: agent.createdAt.toISOString(),
    updated_at: agent.updatedAt.toISOString(),
  };
}
