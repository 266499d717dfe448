import { agentForModel, modelOf } from "@/lib/doors/openai";
import { openAi } from "@/lib/surfaces";

/** One agent this key may use, as an OpenAI model. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = openAi.methods<{ model: string }>({
  GET: openAi.route({}, async ({ auth, params }) => modelOf((await agentForModel(auth, params.model)).agent, auth.key.org.name)),
});
