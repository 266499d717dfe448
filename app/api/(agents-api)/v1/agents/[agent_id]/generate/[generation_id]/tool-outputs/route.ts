import { agentScopeCheck, authenticateProject, json, renderAgentsApiError } from "@/lib/agents-api/http";
import { submitToolOutputsRequest } from "@/lib/agents-api/schemas";
import { serializeGeneration, submitToolOutputs } from "@/lib/generations/engine";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";

/** Resumes a generation paused on client tools (also after a restart: its state is stored). */
export const POST = apiRoute<{ agent_id: string; generation_id: string }>(async (request, context, params) => {
  const auth = await authenticateProject(request, context);
  const body = parseInput(submitToolOutputsRequest, await readJsonBody(request));
  await agentScopeCheck(auth, params.agent_id);
  const outcome = await submitToolOutputs(params.agent_id, params.generation_id, body.tool_outputs, {
    key: auth.key,
    timing: context.timing,
    signal: request.signal,
  });
  return json(auth, serializeGeneration(outcome));
}, renderAgentsApiError);
