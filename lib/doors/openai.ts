/**
 * The OpenAI-compatible door: OpenAI's chat-completions request as a run request, and the run's
 * outcome and events as OpenAI's chat completion and its stream chunks. Agents are the models.
 */
import { z } from "zod";
import { findAgent, isAgentRef, type AgentWithProvider } from "@/lib/agents";
import type { ApiKeyAuth } from "@/lib/auth";
import type { ChatCompletionChunk, ChatCompletionResponse, OpenAiModelListResponse, OpenAiModelResponse } from "@/lib/contracts";
import type { Agent } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import type { ChatTurn, GenerationEvent, GenerationOutcome, RunRequest } from "@/lib/generations";
import { keyAllowsAgent } from "@/lib/keys";
import { assertRunEnded } from "./chat";

const textContent = z.union(
  [
    z.string(),
    z.array(
      z.object({
        type: z.literal("text", { error: 'only text content parts ({"type":"text","text":…}) are supported' }),
        text: z.string({ error: "text must be a string" }),
      }),
    ),
  ],
  { error: "content must be a string or an array of text parts" },
);

/** The agent runs its own tools on the server and never hands a call to the caller, so none can come back. */
const CALLER_TOOLS_REFUSED = "this endpoint never returns tool calls: the agent runs its own tools on the server";

/** One message as a turn of the run; OpenAI's developer role is a system turn. */
const chatMessage = z
  .object({
    role: z.enum(["system", "developer", "user", "assistant", "tool"], {
      error: "role must be one of system, developer, user, assistant, tool",
    }),
    content: textContent.nullish(),
    name: z.string().optional(),
    tool_calls: z.array(z.unknown()).nullish(),
    tool_call_id: z.string().optional(),
  })
  .transform((message, context): ChatTurn => {
    if (message.role === "tool") {
      context.addIssue({ code: "custom", path: ["role"], message: `tool messages cannot be sent: ${CALLER_TOOLS_REFUSED}` });
      return z.NEVER;
    }
    if (message.tool_calls && message.tool_calls.length > 0) {
      context.addIssue({ code: "custom", path: ["tool_calls"], message: `assistant tool calls cannot be sent: ${CALLER_TOOLS_REFUSED}` });
      return z.NEVER;
    }
    const content = textOf(message.content);
    if (content.trim() === "") {
      context.addIssue({ code: "custom", path: ["content"], message: "content must not be empty" });
      return z.NEVER;
    }
    return { role: message.role === "developer" ? "system" : message.role, content };
  });

const tokenCount = z.number({ error: "must be a whole number of tokens" }).int().min(1).nullish();

/**
 * `POST /api/openai/v1/chat/completions`: OpenAI's request. Fields it does not list are accepted and
 * ignored, as OpenAI's clients send many; sampling settings are checked, but the agent's own
 * settings (model, instructions, temperature, tools) decide the run.
 */
export const ChatCompletionRequest = z.object({
  model: z
    .string({ error: "model must be a string: an agent's id (agt_…) or UUID" })
    .min(1, "model must name an agent: its id (agt_…) or UUID")
    .meta({ description: "The agent: its public id (`agt_…`) or UUID, as `GET /api/openai/v1/models` lists them" }),
  messages: z
    .array(chatMessage, { error: "messages must be an array of { role, content }" })
    .min(1, "messages must contain at least one message"),
  stream: z.boolean({ error: "stream must be a boolean" }).nullish(),
  stream_options: z.object({ include_usage: z.boolean({ error: "include_usage must be a boolean" }).nullish() }).nullish(),
  temperature: z.number({ error: "temperature must be a number" }).min(0).max(2).nullish(),
  top_p: z.number({ error: "top_p must be a number" }).min(0).max(1).nullish(),
  max_tokens: tokenCount,
  max_completion_tokens: tokenCount,
  n: z.literal(1, { error: "n must be 1: an agent gives one answer" }).nullish(),
  user: z.string({ error: "user must be a string" }).max(256).optional(),
});
export type ChatCompletionRequest = z.output<typeof ChatCompletionRequest>;

function textOf(content: z.output<typeof textContent> | null | undefined): string {
  if (content === null || content === undefined) return "";
  return typeof content === "string" ? content : content.map((part) => part.text).join("");
}

const modelNotFound = (model: string) =>
  new ApiError("NOT_FOUND", `The model \`${model}\` does not exist or you do not have access to it.`, { param: "model" });

/**
 * The agent a request's `model` names. Like OpenAI, a name that is no agent here (another
 * organisation's, or `gpt-4o`) is a model not found; an agent outside the key's scope is a 403.
 */
export async function agentForModel(auth: ApiKeyAuth, model: string): Promise<AgentWithProvider> {
  const target = isAgentRef(model) ? await findAgent(auth.key.orgId, model) : null;
  if (!target) throw modelNotFound(model);
  if (!keyAllowsAgent(auth.key, target.agent.id)) {
    throw new ApiError("FORBIDDEN", `This API key is not allowed to use the model \`${model}\`.`, { param: "model" });
  }
  return target;
}

/** The request as a run of the agent. */
export const toRunRequest = (body: ChatCompletionRequest, target: AgentWithProvider): RunRequest => ({
  door: "openai",
  agentRef: target.agent.id,
  messages: body.messages,
});

const unixSeconds = (at: Date = new Date()) => Math.floor(at.getTime() / 1000);

/** The AI SDK's finish reasons in OpenAI's words; tool calls ran on the server, so the answer simply stopped. */
function finishReasonOf(outcome: GenerationOutcome): "stop" | "length" | "content_filter" {
  if (outcome.finishReason === "length") return "length";
  if (outcome.finishReason === "content-filter") return "content_filter";
  return "stop";
}

const usageOf = ({ usage }: GenerationOutcome) => ({
  prompt_tokens: usage.inputTokens,
  completion_tokens: usage.outputTokens,
  total_tokens: usage.inputTokens + usage.outputTokens,
});

/** The id of a completion: the generation's, so a client's log leads to the run's trace. */
const completionId = (generationId: string) => `chatcmpl-${generationId}`;

/** A finished run as OpenAI's chat completion; a run that paused is an error naming its generation. */
export function chatCompletion(outcome: GenerationOutcome, model: string, target: AgentWithProvider): ChatCompletionResponse {
  assertRunEnded(outcome, target.agent.publicId);
  return {
    id: completionId(outcome.id),
    object: "chat.completion",
    created: unixSeconds(),
    model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: outcome.text ?? "", refusal: null },
        logprobs: null,
        finish_reason: finishReasonOf(outcome),
      },
    ],
    usage: usageOf(outcome),
  };
}

const sse = (payload: object) => `data: ${JSON.stringify(payload)}\n\n`;

/**
 * Encodes a run's events as chat-completion chunks: the assistant role first, then the text as
 * it comes, a chunk with the finish reason and, when asked for, one with the usage. Tool activity
 * stays on the server. A run that paused throws, so the stream ends with an error event.
 */
export function chatCompletionChunks(
  generationId: string,
  body: ChatCompletionRequest,
  target: AgentWithProvider,
): (event: GenerationEvent) => string {
  const includeUsage = body.stream_options?.include_usage === true;
  const base = { id: completionId(generationId), object: "chat.completion.chunk" as const, created: unixSeconds(), model: body.model };
  const chunk = (
    delta: ChatCompletionChunk["choices"][number]["delta"],
    finishReason: ChatCompletionChunk["choices"][number]["finish_reason"] = null,
  ) =>
    sse({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage ? { usage: null } : {}),
    } satisfies ChatCompletionChunk);
  let opened = false;

  return (event) => {
    const opening = opened ? "" : chunk({ role: "assistant", content: "" });
    opened = true;
    switch (event.type) {
      case "text-delta":
        return opening + chunk({ content: event.delta });
      case "tool-call":
      case "tool-result":
        return opening;
      case "done": {
        assertRunEnded(event.outcome, target.agent.publicId);
        const usage = includeUsage ? sse({ ...base, choices: [], usage: usageOf(event.outcome) } satisfies ChatCompletionChunk) : "";
        return opening + chunk({}, finishReasonOf(event.outcome)) + usage;
      }
    }
  };
}

/** An agent as one of OpenAI's models; `owner` is its organisation's name. */
export function modelOf(agent: Pick<Agent, "publicId" | "createdAt">, owner: string): OpenAiModelResponse {
  return { id: agent.publicId, object: "model", created: unixSeconds(agent.createdAt), owned_by: owner };
}

/** The agents a key may use as OpenAI's model list. */
export function modelList(agents: Array<Pick<Agent, "publicId" | "createdAt">>, owner: string): OpenAiModelListResponse {
  return { object: "list", data: agents.map((agent) => modelOf(agent, owner)) };
}
