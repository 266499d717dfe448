import { agentForKey } from "@/lib/agents/door";
import { runAgent, streamAgent, type RunResult, type StreamEvent } from "@/lib/agents/run";
import { chatRequestSchema } from "@/lib/agents/schemas";
import { authenticateApiKey } from "@/lib/auth";
import { apiRoute, parseInput, readJsonBody, streamResponse } from "@/lib/http";

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
export const POST = apiRoute<{ agentId: string }>(async (request, context, { agentId }) => {
  const auth = await authenticateApiKey(request, context);
  const body = parseInput(chatRequestSchema, await readJsonBody(request));
  const target = await agentForKey(auth, agentId);
  const cancel = new AbortController();
  const run = {
    key: auth.key,
    target,
    messages: body.messages,
    channel: "chat",
    timing: context.timing,
    signal: AbortSignal.any([request.signal, cancel.signal]),
  };

  if (!body.stream) {
    const result = await runAgent(run);
    return Response.json(chatPayload(result, target.agent.id), { headers: auth.rateLimitHeaders });
  }

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
    { requestId: context.requestId, headers: auth.rateLimitHeaders, abort: () => cancel.abort() },
  );
});
