import { and, eq } from "drizzle-orm";
import { config } from "@/lib/config";
import { TtlCache } from "@/lib/cache/ttl-cache";
import { getDb, newPublicId, tables, UUID_PATTERN, type Agent, type AiProvider, type Db } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { processSingleton } from "@/lib/runtime/singleton";

export interface AgentWithProvider {
  agent: Agent;
  provider: AiProvider | null;
}

export type AgentSettings = Partial<
  Pick<
    typeof tables.agents.$inferInsert,
    | "name"
    | "instructions"
    | "model"
    | "aiProviderId"
    | "temperature"
    | "maxSteps"
    | "toolChoice"
    | "stopConditions"
    | "activeToolIds"
    | "stepRules"
    | "boundaryPolicy"
    | "knowledgeConfig"
  >
>;

export type CreateAgentInput = AgentSettings & { orgId: string };

export async function createAgent(db: Db, input: CreateAgentInput): Promise<Agent> {
  const [agent] = await db
    .insert(tables.agents)
    .values({ ...input, publicId: newPublicId("agent") })
    .returning();
  if (!agent) throw new Error("agent insert returned no row");
  return agent;
}

// An agent's public id never changes, so it is kept once read. Only read ids are kept, never a
// load under way: a caller inside a transaction must not wait on a read made outside it (PGlite
// has one connection, and the read would wait for the transaction).
const publicIds = () => processSingleton("agents:public-ids", () => new Map<string, string>());
const MAX_KEPT_PUBLIC_IDS = 10_000;

/** The id users see for an agent (`agt_…`), by its UUID: what events name agents by. */
export async function agentPublicId(db: Db, orgId: string, agentId: string): Promise<string> {
  const cacheKey = `${orgId}:${agentId}`;
  const kept = publicIds().get(cacheKey);
  if (kept) return kept;
  const [row] = await db
    .select({ publicId: tables.agents.publicId })
    .from(tables.agents)
    .where(and(eq(tables.agents.orgId, orgId), eq(tables.agents.id, agentId)))
    .limit(1);
  if (!row) throw new Error(`No agent ${agentId} in organisation ${orgId}`);
  if (publicIds().size >= MAX_KEPT_PUBLIC_IDS) publicIds().clear();
  publicIds().set(cacheKey, row.publicId);
  return row.publicId;
}

const PUBLIC_ID_PATTERN = /^agt_[0-9A-Za-z]{16}$/;

/** Agents are addressed by UUID or by public id (`agt_…`); anything else is a malformed id. */
export function assertAgentRef(ref: string, field = "agentId"): void {
  if (!isAgentRef(ref)) {
    throw new ApiError("BAD_REQUEST", `${field} must be a UUID or an agent id starting with agt_`);
  }
}

// Cached briefly like keys: chat is the hot path and agents change rarely.
const agentCache = () => processSingleton("agents:cache", () => new TtlCache<AgentWithProvider | null>(config().KEY_CACHE_TTL_MS));

async function loadAgent(orgId: string, ref: string): Promise<AgentWithProvider | null> {
  const db = await getDb();
  const byId = UUID_PATTERN.test(ref) ? eq(tables.agents.id, ref) : eq(tables.agents.publicId, ref);
  const [row] = await db
    .select({ agent: tables.agents, provider: tables.aiProviders })
    .from(tables.agents)
    .leftJoin(tables.aiProviders, eq(tables.aiProviders.id, tables.agents.aiProviderId))
    .where(and(byId, eq(tables.agents.orgId, orgId)))
    .limit(1);
  return row ?? null;
}

/** Drops cached lookups after agents change (other instances catch up within the TTL). */
export function forgetCachedAgents(): void {
  agentCache().clear();
}

export function isAgentRef(ref: string): boolean {
  return UUID_PATTERN.test(ref) || PUBLIC_ID_PATTERN.test(ref);
}

/** An agent of this organisation, or null: another tenant's agent looks exactly like a missing one. */
export function findAgent(orgId: string, ref: string): Promise<AgentWithProvider | null> {
  const key = UUID_PATTERN.test(ref) ? ref.toLowerCase() : ref;
  return agentCache().get(`${orgId}:${key}`, () => loadAgent(orgId, ref));
}
