import { eq } from "drizzle-orm";
import { tables, type Agent, type Db } from "@/lib/db";
import { notFound } from "@/lib/errors";
import type { A2aAgentCard } from "@/lib/contracts";
import { A2A_PROTOCOL_VERSION } from "./protocol";

/** The agent's JSON-RPC endpoint, which its card names as `url`. */
export const a2aEndpoint = (origin: string, agentPublicId: string) => `${origin}/api/a2a/agents/${agentPublicId}`;

/**
 * A card is a discovery document anyone may read: it names the agent and how to call it, never
 * what is private to its organisation (instructions, model, organisation, tools).
 */
export function agentCard(agent: Pick<Agent, "publicId" | "name">, origin: string): A2aAgentCard {
  const name = agent.name ?? agent.publicId;
  return {
    protocolVersion: A2A_PROTOCOL_VERSION,
    name,
    description: `The Conduit agent ${name}: send it a text message and get its reply.`,
    url: a2aEndpoint(origin, agent.publicId),
    preferredTransport: "JSONRPC",
    version: "1.0.0",
    capabilities: { streaming: true, pushNotifications: false, stateTransitionHistory: false },
    defaultInputModes: ["text/plain"],
    defaultOutputModes: ["text/plain"],
    skills: [
      {
        id: "ask",
        name: `Ask ${name}`,
        description: `Ask ${name} and get its reply; a contextId continues a conversation.`,
        tags: ["chat"],
      },
    ],
    securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A Conduit API key allowed to use this agent" } },
    security: [{ bearer: [] }],
  };
}

/** The card of an agent by its public id, whichever organisation it belongs to. */
export async function findAgentCard(db: Db, agentPublicId: string, origin: string): Promise<A2aAgentCard> {
  const [agent] = await db
    .select({ publicId: tables.agents.publicId, name: tables.agents.name })
    .from(tables.agents)
    .where(eq(tables.agents.publicId, agentPublicId))
    .limit(1);
  if (!agent) throw notFound("Agent");
  return agentCard(agent, origin);
}
