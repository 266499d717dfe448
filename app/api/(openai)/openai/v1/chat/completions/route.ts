import { agentForModel, ChatCompletionRequest, chatCompletion, chatCompletionChunks, toRunRequest } from "@/lib/doors/openai";
import { startGeneration, streamGeneration } from "@/lib/generations";
import { streamResponse } from "@/lib/http";
import { openAi, openAiEventStream } from "@/lib/surfaces";

/** OpenAI's chat completions, with an agent as the model: one JSON completion or an SSE stream. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = openAi.methods({
  POST: openAi.route({ body: ChatCompletionRequest }, async ({ auth, body, request, context }) => {
    const target = await agentForModel(auth, body.model);
    const cancel = new AbortController();
    const run = toRunRequest(body, target);
    const caller = { key: auth.key, timing: context.timing, signal: AbortSignal.any([request.signal, cancel.signal]) };

    if (!body.stream) return chatCompletion(await startGeneration(run, caller), body.model, target);
    const started = await streamGeneration(run, caller);
    return streamResponse(started, openAiEventStream(chatCompletionChunks(started.generationId, body, target)), {
      requestId: context.requestId,
      abort: () => cancel.abort(),
    });
  }),
});
