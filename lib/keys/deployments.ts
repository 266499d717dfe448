import { and, arrayContains, desc, eq, isNull } from "drizzle-orm";
import { tables, type ApiKey, type Db } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { createApiKey, revokeApiKey } from "./index";

/**
 * Connection keys for deploying one agent: API keys limited to that agent, so a key pasted into
 * a client can run the agent and nothing else (no other agent, no management of the project).
 */

export async function createDeploymentKey(
  db: Db,
  input: { orgId: string; agentId: string; label: string; createdByUserId: string },
): Promise<{ secret: string; record: ApiKey }> {
  return createApiKey(db, { orgId: input.orgId, name: input.label, agentIds: [input.agentId], createdByUserId: input.createdByUserId });
}

/** The active keys of this organisation that are limited to this agent alone, newest first. */
export async function listDeploymentKeys(db: Db, orgId: string, agentId: string): Promise<ApiKey[]> {
  const keys = await db
    .select()
    .from(tables.apiKeys)
    .where(and(eq(tables.apiKeys.orgId, orgId), arrayContains(tables.apiKeys.agentIds, [agentId]), isNull(tables.apiKeys.revokedAt)))
    .orderBy(desc(tables.apiKeys.createdAt));
  return keys.filter((key) => key.agentIds?.length === 1);
}

/** Revokes one of the agent's connection keys; a key of another agent or organisation is not found. */
export async function revokeDeploymentKey(db: Db, orgId: string, agentId: string, publicId: string): Promise<void> {
  const [key] = await db
    .select({ id: tables.apiKeys.id, agentIds: tables.apiKeys.agentIds })
    .from(tables.apiKeys)
    .where(and(eq(tables.apiKeys.orgId, orgId), eq(tables.apiKeys.publicId, publicId)))
    .limit(1);
  if (!key || key.agentIds?.length !== 1 || key.agentIds[0] !== agentId) throw notFound("API key");
  await revokeApiKey(db, orgId, key.id);
}
