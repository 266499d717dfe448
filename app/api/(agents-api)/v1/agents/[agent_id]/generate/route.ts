import { createGenerationRequest } from "@/lib/agents-api/schemas";
import { agentScopeCheck } from "@/lib/doors/scope";
import { serializeGeneration, serializeToolEvent, startGeneration, streamGeneration, type GenerationEvent } from "@/lib/generations";
import { streamResponse } from "@/lib/http";
import { agentsApi } from "@/lib/surfaces";

const sse = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;

function encodeEvent(event: GenerationEvent): string {
  switch (event.type) {
    case "text-delta":
      return sse({ type: "text-delta", delta: event.delta });
    case "tool-call":
    case "tool-result":
      return sse(serializeToolEvent(event));
    case "done":
      return sse({ type: "done", ...serializeGeneration(event.outcome) });
  }
}

/** Runs the agent's model loop with its tools; JSON, or an SSE stream ending with `data: [DONE]`. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods<{ agent_id: string }>({
  POST: agentsApi.route({ body: createGenerationRequest }, async ({ auth, body, params, request, context }) => {
    await agentScopeCheck(auth, params.agent_id);
    const cancel = new AbortController();
    const caller = {
      key: auth.key,
      timing: context.timing,
      signal: AbortSignal.any([request.signal, cancel.signal]),
    };
    const generateRequest = {
      door: "generate" as const,
      agentRef: params.agent_id,
      messages: body.messages,
      traceId: body.trace_id,
      parentTraceId: body.parent_trace_id,
      rootTraceId: body.root_trace_id,
      maxCallDepth: body.max_call_depth,
      callDepth: 0,
      toolContext: body.tool_context,
      actorRef: body.actor_id,
    };
    if (!body.stream) return serializeGeneration(await startGeneration(generateRequest, caller));

    const events = await streamGeneration(generateRequest, caller);
    return streamResponse(
      events,
      {
        contentType: "text/event-stream; charset=utf-8",
        encode: encodeEvent,
        encodeError: (error) => sse({ type: "error", error: error.message }),
        end: "data: [DONE]\n\n",
      },
      { requestId: context.requestId, abort: () => cancel.abort() },
    );
  }),
});
