import { randomBytes } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { TtlCache } from "@/lib/cache/ttl-cache";
import { config } from "@/lib/config";
import { encryptSecret, sha256Hex } from "@/lib/crypto";
import { newSecret, secretShape } from "@/lib/crypto/secrets";
import { getDb, tables, UUID_PATTERN, type Db, type GateAgent } from "@/lib/db";
import { getAgentRow } from "@/lib/agents/manage";
import { ApiError, notFound } from "@/lib/errors";
import type { GateAgentResponse } from "@/lib/contracts";
import { processSingleton } from "@/lib/runtime/singleton";

/** Gate agent keys start with `sg_`, as the gate's clients expect. */
export const GATE_KEY_PREFIX = "sg_";
const KEY_SHAPE = secretShape(GATE_KEY_PREFIX);

export const CreateGateAgentRequest = z.object({
  name: z.string().trim().min(1).max(200),
  webhook_url: z
    .url({ protocol: /^https?$/ })
    .nullable()
    .optional(),
  polling_enabled: z.boolean().optional(),
  signed_tokens_enabled: z.boolean().optional(),
  api_enabled: z.boolean().optional(),
  /** A Conduit agent (`agt_…`) whose gated tools are reviewed through this gate agent. */
  agent_id: z.string().nullable().optional(),
});

export const UpdateGateAgentRequest = CreateGateAgentRequest.partial().extend({
  status: z.enum(["active", "paused", "revoked"]).optional(),
});

const agentCache = () => processSingleton("gate:agents", () => new TtlCache<GateAgent | null>(config().KEY_CACHE_TTL_MS));

/** Registers a gate agent; its key and webhook secret are returned this once. */
async function linkedAgentId(db: Db, orgId: string, ref: string | null | undefined): Promise<string | null | undefined> {
  if (ref === undefined || ref === null) return ref;
  return (await getAgentRow(db, orgId, ref)).id;
}

export async function createGateAgent(db: Db, orgId: string, input: z.output<typeof CreateGateAgentRequest>) {
  const { secret, hash: keyHash, start: keyStart } = newSecret(GATE_KEY_PREFIX);
  const agentId = await linkedAgentId(db, orgId, input.agent_id);
  const webhookSecret = `whsec_${randomBytes(24).toString("base64")}`;
  const [agent] = await db
    .insert(tables.gateAgents)
    .values({
      orgId,
      name: input.name,
      keyHash,
      keyStart,
      webhookUrl: input.webhook_url ?? null,
      webhookSecretCiphertext: encryptSecret(webhookSecret),
      pollingEnabled: input.polling_enabled ?? true,
      signedTokensEnabled: input.signed_tokens_enabled ?? false,
      apiEnabled: input.api_enabled ?? true,
      agentId: agentId ?? null,
    })
    .returning();
  return { agent: agent!, key: secret, webhookSecret };
}

/** The organisation's gate agents, newest first. */
export function listGateAgents(db: Db, orgId: string): Promise<GateAgent[]> {
  return db.select().from(tables.gateAgents).where(eq(tables.gateAgents.orgId, orgId)).orderBy(desc(tables.gateAgents.createdAt));
}

export async function getGateAgent(db: Db, orgId: string, id: string): Promise<GateAgent> {
  if (!UUID_PATTERN.test(id)) throw notFound("Gate agent");
  const [agent] = await db
    .select()
    .from(tables.gateAgents)
    .where(and(eq(tables.gateAgents.orgId, orgId), eq(tables.gateAgents.id, id)))
    .limit(1);
  if (!agent) throw notFound("Gate agent");
  return agent;
}

export async function updateGateAgent(db: Db, orgId: string, id: string, input: z.output<typeof UpdateGateAgentRequest>) {
  const current = await getGateAgent(db, orgId, id);
  if (current.status === "revoked") throw new ApiError("BAD_REQUEST", "A revoked gate agent cannot be changed");
  const [agent] = await db
    .update(tables.gateAgents)
    .set({
      name: input.name,
      webhookUrl: input.webhook_url,
      pollingEnabled: input.polling_enabled,
      signedTokensEnabled: input.signed_tokens_enabled,
      apiEnabled: input.api_enabled,
      status: input.status,
      agentId: await linkedAgentId(db, orgId, input.agent_id),
      updatedAt: new Date(),
    })
    .where(eq(tables.gateAgents.id, current.id))
    .returning();
  agentCache().delete(current.keyHash);
  return agent!;
}

/** Replaces the key: the old one stops working at once on this instance. */
export async function regenerateGateKey(db: Db, orgId: string, id: string) {
  const current = await getGateAgent(db, orgId, id);
  if (current.status === "revoked") throw new ApiError("BAD_REQUEST", "A revoked gate agent cannot get a new key");
  const { secret, hash: keyHash, start: keyStart } = newSecret(GATE_KEY_PREFIX);
  const [agent] = await db
    .update(tables.gateAgents)
    .set({ keyHash, keyStart, updatedAt: new Date() })
    .where(eq(tables.gateAgents.id, current.id))
    .returning();
  agentCache().delete(current.keyHash);
  return { agent: agent!, key: secret };
}

export function serializeGateAgent(agent: GateAgent): GateAgentResponse {
  return {
    id: agent.id,
    name: agent.name,
    key_start: agent.keyStart,
    status: agent.status,
    api_enabled: agent.apiEnabled,
    polling_enabled: agent.pollingEnabled,
    signed_tokens_enabled: agent.signedTokensEnabled,
    webhook_url: agent.webhookUrl,
    agent_id: agent.agentId,
    created_at: agent.createdAt.toISOString(),
    updated_at: agent.updatedAt.toISOString(),
  };
}

async function loadByHash(hash: string): Promise<GateAgent | null> {
  const db = await getDb();
  const [agent] = await db.select().from(tables.gateAgents).where(eq(tables.gateAgents.keyHash, hash)).limit(1);
  return agent ?? null;
}

/** The gate agent behind a presented `sg_` key, or null. */
export async function resolveGateKey(secret: string): Promise<GateAgent | null> {
  if (!KEY_SHAPE.test(secret)) return null;
  const hash = sha256Hex(secret);
  return agentCache().get(hash, () => loadByHash(hash));
}

// The names route handlers import today; new code uses the names above.
export { CreateGateAgentRequest as gateAgentSettings, UpdateGateAgentRequest as updateGateAgentRequest };
