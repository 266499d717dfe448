import { findAgentCard } from "@/lib/a2a";
import { publicOrigin } from "@/lib/http";
import { a2a } from "@/lib/surfaces";

/** The agent's A2A card: a public discovery document, read without a key. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = a2a.methods<{ agentId: string }>({
  GET: a2a.publicRoute({}, async ({ params, request, db }) => findAgentCard(db, params.agentId, publicOrigin(request))),
});
