import { agentForKey } from "@/lib/agents/door";
import { runAgent, streamAgent, type RunResult, type StreamEvent } from "@/lib/agents/run";
import { chatRequestSchema } from "@/lib/agents/schemas";
import { streamResponse } from "@/lib/http";
import { conduit } from "@/lib/surfaces";

function chatPayload(result: RunResult, agentId: string) {
  return {
    id: result.messageId,
    agent_id: agentId,
    model: result.model,
    message: { role: "assistant", content: result.content },
    finish_reason: result.finishReason,
    usage: {
      input_tokens: result.usage.inputTokens,
      output_tokens: result.usage.outputTokens,
      total_tokens: result.usage.totalTokens,
    },
  };
}

/** Agent chat: a messages array in, one JSON reply or an NDJSON stream out. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = conduit.methods<{ agentId: string }>({
  POST: conduit.route({ body: chatRequestSchema }, async ({ auth, body, params, request, context }) => {
    const target = await agentForKey(auth, params.agentId);
    const cancel = new AbortController();
    const run = {
      key: auth.key,
      target,
      messages: body.messages,
      channel: "chat",
      timing: context.timing,
      signal: AbortSignal.any([request.signal, cancel.signal]),
    };

    if (!body.stream) return chatPayload(await runAgent(run), target.agent.id);

    const events = await streamAgent(run);
    return streamResponse<StreamEvent>(
      events,
      {
        contentType: "application/x-ndjson; charset=utf-8",
        encode: (event) =>
          JSON.stringify(
            event.type === "delta"
              ? { type: "delta", content: event.content }
              : { type: "done", ...chatPayload(event.result, target.agent.id) },
          ) + "\n",
        encodeError: (error) =>
          JSON.stringify({ type: "error", error: { code: error.code, message: error.message, request_id: context.requestId } }) + "\n",
      },
      { requestId: context.requestId, abort: () => cancel.abort() },
    );
  }),
});
