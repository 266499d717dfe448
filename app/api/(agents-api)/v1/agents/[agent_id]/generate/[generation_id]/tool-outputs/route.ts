import { submitToolOutputsRequest } from "@/lib/agents-api/schemas";
import { agentScopeCheck } from "@/lib/doors/scope";
import { serializeGeneration, submitToolOutputs } from "@/lib/generations";
import { agentsApi } from "@/lib/surfaces";

/** Resumes a generation paused on client tools (also after a restart: its state is stored). */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods<{ agent_id: string; generation_id: string }>({
  POST: agentsApi.route({ body: submitToolOutputsRequest }, async ({ auth, body, params, request, context }) => {
    await agentScopeCheck(auth, params.agent_id);
    const outcome = await submitToolOutputs(params.agent_id, params.generation_id, body.tool_outputs, {
      key: auth.key,
      timing: context.timing,
      signal: request.signal,
    });
    return serializeGeneration(outcome);
  }),
});
