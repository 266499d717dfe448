import { randomUUID } from "node:crypto";
import { generateText, streamText, type LanguageModelUsage, type ModelMessage } from "ai";
import { startMetering } from "@/lib/billing";
import { config } from "@/lib/config";
import { recordExchange } from "@/lib/conversations";
import type { RequestTiming } from "@/lib/http/timing";
import type { ResolvedKey } from "@/lib/keys";
import { resolveModel, toModelError } from "@/lib/llm";
import type { AgentWithProvider } from "./index";

export interface ChatTurn {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface RunResult {
  messageId: string;
  content: string;
  model: string;
  usage: Usage;
  finishReason: string;
}

export interface RunRequest {
  key: ResolvedKey;
  target: AgentWithProvider;
  messages: ChatTurn[];
  /** Which door the run came through, stored with its messages. */
  channel: string;
  timing: RequestTiming;
  /** Aborted when the caller goes away; the model call stops with it. */
  signal: AbortSignal;
}

export type StreamEvent = { type: "delta"; content: string } | { type: "done"; result: RunResult };

export interface AgentStream {
  first: StreamEvent;
  rest: AsyncGenerator<StreamEvent, void>;
}

function toUsage(usage: LanguageModelUsage): Usage {
  const inputTokens = usage.inputTokens ?? 0;
  const outputTokens = usage.outputTokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: usage.totalTokens ?? inputTokens + outputTokens };
}

/** Everything one run needs: model, prompt, deadline, metering and bookkeeping. */
async function prepare(request: RunRequest) {
  const { agent, provider } = request.target;
  const { model, modelId } = resolveModel(agent, provider, request.timing, request.key.org.billingMode);
  const promptChars = request.messages.reduce((sum, turn) => sum + turn.content.length, agent.instructions?.length ?? 0);
  const meter = await startMetering(request.key, modelId, promptChars);
  const timeoutMs = config().RUN_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  const prompt = request.messages.findLast((turn) => turn.role === "user") ?? request.messages.at(-1)!;
  const startedAt = performance.now();
  const messageId = randomUUID();

  const record = (content: string, usage: Usage, status: "completed" | "failed" | "aborted") =>
    recordExchange({
      orgId: agent.orgId,
      agentId: agent.id,
      apiKeyId: request.key.id,
      channel: request.channel,
      prompt,
      reply: {
        id: messageId,
        content,
        model: modelId,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        latencyMs: Math.round(performance.now() - startedAt),
        status,
      },
    });

  return {
    messageId,
    modelId,
    meter,
    record,
    fail: (error: unknown) => toModelError(error, deadline.aborted, timeoutMs),
    call: {
      model,
      system: agent.instructions ?? undefined,
      messages: request.messages as ModelMessage[],
      temperature: agent.temperature ?? undefined,
      maxRetries: config().MODEL_MAX_RETRIES,
      abortSignal: AbortSignal.any([request.signal, deadline]),
    },
  };
}

const NO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

/** Runs the agent to completion and returns its reply. */
export async function runAgent(request: RunRequest): Promise<RunResult> {
  const run = await prepare(request);
  try {
    const output = await generateText(run.call);
    const usage = toUsage(output.totalUsage);
    run.meter.settle(usage);
    run.record(output.text, usage, "completed");
    return { messageId: run.messageId, content: output.text, model: run.modelId, usage, finishReason: output.finishReason };
  } catch (error) {
    run.meter.release();
    run.record("", NO_USAGE, request.signal.aborted ? "aborted" : "failed");
    throw run.fail(error);
  }
}

/**
 * Streams the agent's reply. Resolves once the first event is in, so a model that fails
 * before producing anything is still reported with a proper HTTP status.
 */
export async function streamAgent(request: RunRequest): Promise<AgentStream> {
  const run = await prepare(request);
  const output = streamText({ ...run.call, onError: () => undefined });

  async function* events(): AsyncGenerator<StreamEvent, void> {
    let text = "";
    let status: "completed" | "failed" | "aborted" = "aborted";
    let usage = NO_USAGE;
    try {
      for await (const part of output.fullStream) {
        if (part.type === "text-delta") {
          text += part.text;
          yield { type: "delta", content: part.text };
        } else if (part.type === "error") {
          status = "failed";
          throw run.fail(part.error);
        } else if (part.type === "abort") {
          throw run.fail(new Error("run aborted"));
        } else if (part.type === "finish") {
          usage = toUsage(part.totalUsage);
          status = "completed";
          yield {
            type: "done",
            result: { messageId: run.messageId, content: text, model: run.modelId, usage, finishReason: part.finishReason },
          };
        }
      }
    } finally {
      if (status === "completed") run.meter.settle(usage);
      else run.meter.release();
      run.record(text, usage, status);
    }
  }

  const rest = events();
  const first = await rest.next();
  if (first.done) throw run.fail(new Error("The model stream ended without a reply"));
  return { first: first.value, rest };
}
