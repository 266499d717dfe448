import { agentForKey } from "@/lib/agents/door";
import { chatRequestSchema } from "@/lib/agents/schemas";
import { authenticateApiKey } from "@/lib/auth";
import { chatPayload, chatStreamLine } from "@/lib/doors/chat";
import { startGeneration, streamGeneration } from "@/lib/generations";
import { apiRoute, parseInput, readJsonBody, streamResponse } from "@/lib/http";

/** Agent chat: a messages array in, one JSON reply or an NDJSON stream out. */
export const POST = apiRoute<{ agentId: string }>(async (request, context, { agentId }) => {
  const auth = await authenticateApiKey(request, context);
  const body = parseInput(chatRequestSchema, await readJsonBody(request));
  const target = await agentForKey(auth, agentId);
  const cancel = new AbortController();
  const run = { door: "chat" as const, agentRef: target.agent.id, messages: body.messages };
  const caller = { key: auth.key, timing: context.timing, signal: AbortSignal.any([request.signal, cancel.signal]) };

  if (!body.stream) {
    return Response.json(chatPayload(await startGeneration(run, caller), target.agent.id), { headers: auth.rateLimitHeaders });
  }
  return streamResponse(
    await streamGeneration(run, caller),
    {
      contentType: "application/x-ndjson; charset=utf-8",
      encode: (event) => chatStreamLine(event, target.agent.id),
      encodeError: (error) =>
        JSON.stringify({ type: "error", error: { code: error.code, message: error.message, request_id: context.requestId } }) + "\n",
    },
    { requestId: context.requestId, headers: auth.rateLimitHeaders, abort: () => cancel.abort() },
  );
});
