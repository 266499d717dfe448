/** Response bodies of the OpenAI-compatible surface (`/api/openai/v1`), in OpenAI's own shapes. */
import { z } from "zod";

/** OpenAI's error envelope: what its official clients parse into their error classes. */
export const OpenAiErrorResponse = z.strictObject({
  error: z.strictObject({
    message: z.string(),
    type: z.string().meta({
      description: "invalid_request_error, requests (rate limited), insufficient_quota (budget or plan limit) or server_error",
      example: "invalid_request_error",
    }),
    param: z
      .string()
      .nullable()
      .meta({ description: "The request field the error is about, when there is one", example: "messages.0.role" }),
    code: z.string().nullable().meta({ example: "model_not_found" }),
  }),
});
export type OpenAiErrorResponse = z.input<typeof OpenAiErrorResponse>;

const OpenAiUsage = z.strictObject({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
});

const finishReason = z.enum(["stop", "length", "content_filter"]);

/** `POST /api/openai/v1/chat/completions` without `stream`. */
export const ChatCompletionResponse = z.strictObject({
  id: z.string().meta({
    description: "`chatcmpl-` and the generation's id (`agt_gen_…`), to follow it in traces",
    example: "chatcmpl-agt_gen_3kTq9XbZ1mNc7VwA",
  }),
  object: z.literal("chat.completion"),
  created: z.number().int().meta({ description: "Unix time in seconds" }),
  model: z.string().meta({ description: "The agent, as the request named it" }),
  choices: z.array(
    z.strictObject({
      index: z.number().int(),
      message: z.strictObject({ role: z.literal("assistant"), content: z.string(), refusal: z.null() }),
      logprobs: z.null(),
      finish_reason: finishReason,
    }),
  ),
  usage: OpenAiUsage,
});
export type ChatCompletionResponse = z.input<typeof ChatCompletionResponse>;

/** One `data:` event of a streamed chat completion. */
export const ChatCompletionChunk = z.strictObject({
  id: z.string(),
  object: z.literal("chat.completion.chunk"),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.strictObject({
      index: z.number().int(),
      delta: z.strictObject({ role: z.literal("assistant").optional(), content: z.string().optional() }),
      logprobs: z.null(),
      finish_reason: finishReason.nullable(),
    }),
  ),
  usage: OpenAiUsage.nullable()
    .optional()
    .meta({ description: "With `stream_options.include_usage`: null on every chunk but the last, which has no choices" }),
});
export type ChatCompletionChunk = z.input<typeof ChatCompletionChunk>;

/** An agent the key may use, as an OpenAI model. */
export const OpenAiModelResponse = z.strictObject({
  id: z.string().meta({ description: "The agent's public id: pass it as `model`", example: "agt_3kTq9XbZ1mNc7VwA" }),
  object: z.literal("model"),
  created: z.number().int().meta({ description: "When the agent was created, in Unix seconds" }),
  owned_by: z.string().meta({ description: "The organisation's name" }),
});
export type OpenAiModelResponse = z.input<typeof OpenAiModelResponse>;

export const OpenAiModelListResponse = z.strictObject({
  object: z.literal("list"),
  data: z.array(OpenAiModelResponse),
});
export type OpenAiModelListResponse = z.input<typeof OpenAiModelListResponse>;
