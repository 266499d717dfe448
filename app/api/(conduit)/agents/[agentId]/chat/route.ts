import { agentForKey } from "@/lib/doors/agent";
import { chatRequestSchema } from "@/lib/agents/schemas";
import { chatPayload, chatStreamLine } from "@/lib/doors/chat";
import { startGeneration, streamGeneration } from "@/lib/generations";
import { streamResponse } from "@/lib/http";
import { conduit } from "@/lib/surfaces";

/** Agent chat: a messages array in, one JSON reply or an NDJSON stream out. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = conduit.methods<{ agentId: string }>({
  POST: conduit.route({ body: chatRequestSchema }, async ({ auth, body, params, request, context }) => {
    const target = await agentForKey(auth, params.agentId);
    const cancel = new AbortController();
    const run = { door: "chat" as const, agentRef: target.agent.id, messages: body.messages };
    const caller = { key: auth.key, timing: context.timing, signal: AbortSignal.any([request.signal, cancel.signal]) };

    if (!body.stream) return chatPayload(await startGeneration(run, caller), target.agent.id);
    return streamResponse(
      await streamGeneration(run, caller),
      {
        contentType: "application/x-ndjson; charset=utf-8",
        encode: (event) => chatStreamLine(event, target.agent.id),
        encodeError: (error) =>
          JSON.stringify({ type: "error", error: { code: error.code, message: error.message, request_id: context.requestId } }) + "\n",
      },
      { requestId: context.requestId, abort: () => cancel.abort() },
    );
  }),
});
