/** The OpenAI-compatible API: agents as models, for OpenAI's clients with `baseURL` `…/api/openai/v1`. */
import { schemaRef } from "../components";
import { json, ok, operation, pathParam, surfaces, type Paths } from "../operation";

export const openAiPaths: Paths = {
  "/api/openai/v1/chat/completions": {
    post: operation(surfaces.openAi, "createOpenAiChatCompletion", {
      tag: "openAi",
      summary: "Run an agent as an OpenAI chat completion",
      description:
        "`model` names the agent. The agent's own instructions, tools and gating apply; its tool calls run on the server and are not returned. Sampling fields are checked but the agent's settings decide. A run that pauses (a client tool, or a gated call under review) cannot be handed back: 409 `run_paused` names the generation to follow with the Agents API. A budget or plan limit reached is 429 `insufficient_quota`.",
      body: "ChatCompletionRequest",
      responses: {
        200: {
          description: "The completion, or server-sent events when `stream: true`",
          content: {
            ...json(schemaRef("ChatCompletionResponse")),
            "text/event-stream": {
              schema: {
                type: "string",
                description:
                  "`data: {ChatCompletionChunk}` events: the assistant role, the text as it comes, a chunk with `finish_reason`, and with `stream_options.include_usage` a last chunk with `usage` and no choices; an error after the stream began is `data: {OpenAiErrorResponse}`. Always ends with `data: [DONE]`.",
              },
            },
          },
        },
      },
      errors: [400, 401, 403, 404, 409, 413, 429, 502, 504],
    }),
  },
  "/api/openai/v1/models": {
    get: operation(surfaces.openAi, "listOpenAiModels", {
      tag: "openAi",
      summary: "The agents this API key may use, as models",
      responses: { 200: ok("The agents, oldest first", "OpenAiModelListResponse") },
      errors: [401, 403, 429],
    }),
  },
  "/api/openai/v1/models/{model}": {
    get: operation(surfaces.openAi, "getOpenAiModel", {
      tag: "openAi",
      summary: "One agent this API key may use, as a model",
      parameters: [pathParam("model", "The agent's public id (`agt_…`) or UUID")],
      responses: { 200: ok("The agent as a model", "OpenAiModelResponse") },
      errors: [401, 403, 404, 429],
    }),
  },
};
