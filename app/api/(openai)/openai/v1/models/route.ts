import { listAgentIdentities } from "@/lib/agents/manage";
import { modelList } from "@/lib/doors/openai";
import { openAi } from "@/lib/surfaces";

/** The agents this key may use, as OpenAI's model list. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = openAi.methods({
  GET: openAi.route({}, async ({ auth, db }) =>
    modelList(await listAgentIdentities(db, auth.key.orgId, auth.key.agentIds), auth.key.org.name),
  ),
});
