import { and, eq } from "drizzle-orm";
import { newPublicId, tables, type Actor, type Db } from "@/lib/db";
import { notFound } from "@/lib/errors";
import type { ActorResponse } from "@/lib/contracts";
import { agentPublicId } from "./index";
import { getAgentRow } from "./manage";
import { publishEvent } from "@/lib/events";

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

/** Someone outside the organisation who talks to an agent (a channel contact, a website visitor): their actor and their one conversation. */
export interface Correspondent {
  actorId: string;
  conversationId: string;
}

/**
 * Creates a correspondent's actor and conversation, then `claim` records them (an insert that
 * does nothing when another request got there first, returning null). When the claim loses the
 * race, both are removed again and `existing` reads the winner. Call it inside a transaction.
 */
export async function createCorrespondent<T>(
  tx: Db,
  who: { orgId: string; agentId: string; name: string; type: string; externalId: string; channel: string },
  claim: (correspondent: Correspondent) => Promise<T | null>,
  existing: () => Promise<T>,
): Promise<T> {
  const [actor] = await tx
    .insert(tables.actors)
    .values({
      publicId: newPublicId("actor"),
      orgId: who.orgId,
      agentId: who.agentId,
      name: who.name,
      type: who.type,
      externalId: who.externalId,
    })
    .returning({ id: tables.actors.id });
  const [conversation] = await tx
    .insert(tables.conversations)
    .values({ orgId: who.orgId, agentId: who.agentId, apiKeyId: null, channel: who.channel })
    .returning({ id: tables.conversations.id });
  const claimed = await claim({ actorId: actor!.id, conversationId: conversation!.id });
  if (claimed) {
    await publishEvent(tx, {
      orgId: who.orgId,
      type: "conversation.created",
      data: {
        conversation_id: conversation!.id,
        agent_id: await agentPublicId(tx, who.orgId, who.agentId),
        channel: who.channel,
        created_at: new Date().toISOString(),
      },
    });
    return claimed;
  }
  await tx.delete(tables.conversations).where(eq(tables.conversations.id, conversation!.id));
  await tx.delete(tables.actors).where(eq(tables.actors.id, actor!.id));
  return existing();
}
