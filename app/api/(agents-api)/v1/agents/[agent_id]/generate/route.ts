import { agentScopeCheck, authenticateProject, json, renderAgentsApiError } from "@/lib/agents-api/http";
import { createGenerationRequest } from "@/lib/agents-api/schemas";
import { serializeGeneration, startGeneration, streamGeneration, type GenerationEvent } from "@/lib/generations/engine";
import { apiRoute, parseInput, readJsonBody, streamResponse } from "@/lib/http";

const sse = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;

function encodeEvent(event: GenerationEvent): string {
  switch (event.type) {
    case "text-delta":
      return sse({ type: "text-delta", delta: event.delta });
    case "tool-call":
      return sse({ type: "tool-call", tool_call_id: event.toolCallId, tool_name: event.toolName, args: event.input });
    case "tool-result":
      return sse({ type: "tool-result", tool_call_id: event.toolCallId, tool_name: event.toolName, result: event.output });
    case "done":
      return sse({ type: "done", ...serializeGeneration(event.outcome) });
  }
}

/** Runs the agent's model loop with its tools; JSON, or an SSE stream ending with `data: [DONE]`. */
export const POST = apiRoute<{ agent_id: string }>(async (request, context, { agent_id }) => {
  const auth = await authenticateProject(request, context);
  const body = parseInput(createGenerationRequest, await readJsonBody(request));
  await agentScopeCheck(auth, agent_id);
  const cancel = new AbortController();
  const caller = {
    key: auth.key,
    timing: context.timing,
    signal: AbortSignal.any([request.signal, cancel.signal]),
  };
  const generateRequest = {
    agentRef: agent_id,
    messages: body.messages,
    traceId: body.trace_id,
    parentTraceId: body.parent_trace_id,
    rootTraceId: body.root_trace_id,
    maxCallDepth: body.max_call_depth,
    callDepth: 0,
    toolContext: body.tool_context,
    actorRef: body.actor_id,
  };
  if (!body.stream) return json(auth, serializeGeneration(await startGeneration(generateRequest, caller)));

  const events = await streamGeneration(generateRequest, caller);
  return streamResponse(
    events,
    {
      contentType: "text/event-stream; charset=utf-8",
      encode: encodeEvent,
      encodeError: (error) => sse({ type: "error", error: error.message }),
      end: "data: [DONE]\n\n",
    },
    { requestId: context.requestId, headers: auth.rateLimitHeaders, abort: () => cancel.abort() },
  );
}, renderAgentsApiError);
