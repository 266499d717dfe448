import { and, eq } from "drizzle-orm";
import { newPublicId, tables, type Actor, type Db } from "@/lib/db";
import { notFound } from "@/lib/errors";
import type { ActorResponse } from "@/lib/contracts";
import { getAgentRow } from "./manage";

export async function createActor(
  db: Db,
  orgId: string,
  agentRef: string,
  input: { name: string; type?: string; external_id?: string; tags?: Record<string, string> },
): Promise<{ actor: Actor; agentPublicId: string }> {
  const agent = await getAgentRow(db, orgId, agentRef);
  const [actor] = await db
    .insert(tables.actors)
    .values({
      publicId: newPublicId("actor"),
      orgId,
      agentId: agent.id,
      name: input.name,
      type: input.type ?? null,
      externalId: input.external_id ?? null,
      tags: input.tags ?? null,
    })
    .returning();
  return { actor: actor!, agentPublicId: agent.publicId };
}

/** The actor a generation speaks for: it must belong to the same agent. */
export async function findActorOfAgent(db: Db, orgId: string, agentId: string, publicId: string): Promise<Actor> {
  const [actor] = await db
    .select()
    .from(tables.actors)
    .where(and(eq(tables.actors.orgId, orgId), eq(tables.actors.agentId, agentId), eq(tables.actors.publicId, publicId)))
    .limit(1);
  if (!actor) throw notFound("Actor");
  return actor;
}

export function serializeActor(actor: Actor, agentPublicId: string): ActorResponse {
  return {
    id: actor.publicId,
    agent_id: agentPublicId,
    name: actor.name,
    type: actor.type,
    external_id: actor.externalId,
    tags: actor.tags,
    created_at: actor.createdAt.toISOString(),
  };
}
