import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from "@ai-sdk/provider";
import { wrapLanguageModel } from "ai";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { budgetCovers, budgetExceeded, reserveBudget, type BudgetedKey, type Reservation } from "./budget";
import { keyCharge, recordCharge } from "./charges";
import { claimPlanMessage, returnPlanMessage, type PlanOrg } from "./plan";
import { costMicrocents, estimateTokens, priceOf, type Price } from "./prices";

/** The shortest answer worth paying for: a key that cannot afford it is refused before the call. */
const MIN_OUTPUT_TOKENS = 16;

/**
 * Who pays for a run: always its organisation (plan limits), and the key it came in with, if any
 * (its budget). A member trying an agent in the dashboard runs without a key.
 */
export interface Payer {
  org: PlanOrg;
  key: BudgetedKey | null;
}

interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface RunMeter {
  /** The run's model, with every call reserved before it runs and charged after, also when abandoned. */
  readonly model: LanguageModelV3;
  /** Model calls that got past their reservation: a run refused before the first leaves nothing behind. */
  readonly calls: number;
  /** The run ended before any model call: gives back the plan message it counted. */
  cancel(): Promise<void>;
}

const estimatePromptTokens = (prompt: LanguageModelV3Prompt, tools?: LanguageModelV3CallOptions["tools"]) =>
  estimateTokens(JSON.stringify(prompt).length + (tools ? JSON.stringify(tools).length : 0));
const promptTokens = (params: LanguageModelV3CallOptions) => estimatePromptTokens(params.prompt, params.tools);

/** The least a call can be reserved for: its prompt and the shortest answer worth paying for. */
const minimalCallCost = (price: Price, promptCost: number) => promptCost + Math.ceil(MIN_OUTPUT_TOKENS * price.output);

/**
 * Refuses work that is accepted now and run later (async tasks) when the key could not pay for
 * its first model call, by the rule each call's reservation follows: the prompt, as the model
 * will receive it, plus the shortest answer. Tool definitions, which the run adds to the
 * prompt, are not known before it starts, so a run may still find a key short by their cost.
 */
export async function assertBudgetLeft(key: BudgetedKey, firstCall: { modelId: string; prompt: LanguageModelV3Prompt }): Promise<void> {
  if (key.budgetUsdCents === null) return;
  const price = priceOf(firstCall.modelId);
  const minimal = minimalCallCost(price, Math.ceil(estimatePromptTokens(firstCall.prompt) * price.input));
  if (!(await budgetCovers(await getDb(), key, minimal))) throw await budgetExceeded(key);
}

function generatedChars(content: LanguageModelV3Content[]): number {
  let chars = 0;
  for (const part of content) {
    if (part.type === "text" || part.type === "reasoning") chars += part.text.length;
    else if (part.type === "tool-call") chars += part.input.length;
  }
  return chars;
}

/** What the provider reported, with estimates for what it left out. */
function reportedUsage(usage: LanguageModelV3Usage, params: LanguageModelV3CallOptions, outputChars: number): TokenUsage {
  return {
    inputTokens: usage.inputTokens.total ?? promptTokens(params),
    outputTokens: usage.outputTokens.total ?? estimateTokens(outputChars),
  };
}

/**
 * Everything that guards money around a run's model calls. The plan's monthly message is
 * counted when the run starts (atomically, when the plan has limits). Before each call (every
 * step, every child generation) the key's budget is reserved for the prompt plus the longest
 * answer it can pay for, and the model is asked for no more than that (`max_tokens`). After the
 * call the real cost is charged, never more than was reserved, even when the caller abandoned
 * a stream: then what the model streamed so far is counted.
 */
export async function startMetering({ org, key }: Payer, model: LanguageModelV3, modelId: string): Promise<RunMeter> {
  const claimedMessage = await claimPlanMessage(org);
  const price = priceOf(modelId);
  let calls = 0;
  let requestCounted = false;
  let cancelled = false;

  const reserve = async (params: LanguageModelV3CallOptions): Promise<{ params: LanguageModelV3CallOptions; held: Reservation | null }> => {
    if (!key || key.budgetUsdCents === null) return { params, held: null };
    const inputCost = Math.ceil(promptTokens(params) * price.input);
    const wantedOutput = params.maxOutputTokens ?? config().BUDGET_RESERVE_OUTPUT_TOKENS;
    const outputCost = (tokens: number) => Math.ceil(tokens * price.output);
    const held = await reserveBudget(await getDb(), key, inputCost + outputCost(wantedOutput), minimalCallCost(price, inputCost));
    if (!held) throw await budgetExceeded(key);
    const affordable = price.output > 0 ? Math.floor((held.amountMicrocents - inputCost) / price.output) : wantedOutput;
    return { params: { ...params, maxOutputTokens: Math.min(wantedOutput, affordable) }, held };
  };

  const charge = (held: Reservation | null, usage: TokenUsage) => {
    const cost = costMicrocents(modelId, usage);
    const countsRequest = !requestCounted;
    requestCounted = true;
    recordCharge({
      orgId: org.id,
      key: keyCharge(key, held, cost),
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      countsRequest,
      planMessages: countsRequest && !claimedMessage ? 1 : 0,
    });
  };

  const metered = wrapLanguageModel({
    model,
    middleware: {
      specificationVersion: "v3",
      wrapGenerate: async ({ params, model: inner }) => {
        const call = await reserve(params);
        calls++;
        try {
          const result = await inner.doGenerate(call.params);
          charge(call.held, reportedUsage(result.usage, call.params, generatedChars(result.content)));
          return result;
        } catch (error) {
          // The provider reported no usage for a call that failed: release its reservation, charge nothing.
          charge(call.held, { inputTokens: 0, outputTokens: 0 });
          throw error;
        }
      },
      wrapStream: async ({ params, model: inner }) => {
        const call = await reserve(params);
        calls++;
        let source: Awaited<ReturnType<LanguageModelV3["doStream"]>>;
        try {
          source = await inner.doStream(call.params);
        } catch (error) {
          charge(call.held, { inputTokens: 0, outputTokens: 0 });
          throw error;
        }
        let reported: LanguageModelV3Usage | null = null;
        let streamedChars = 0;
        let charged = false;
        const settle = () => {
          if (charged) return;
          charged = true;
          charge(
            call.held,
            reported
              ? reportedUsage(reported, call.params, streamedChars)
              : { inputTokens: promptTokens(call.params), outputTokens: estimateTokens(streamedChars) },
          );
        };
        const reader = source.stream.getReader();
        const stream = new ReadableStream<LanguageModelV3StreamPart>({
          async pull(controller) {
            try {
              const { done, value } = await reader.read();
              if (done) {
                settle();
                controller.close();
                return;
              }
              if (value.type === "text-delta" || value.type === "reasoning-delta" || value.type === "tool-input-delta") {
                streamedChars += value.delta.length;
              } else if (value.type === "finish") reported = value.usage;
              controller.enqueue(value);
            } catch (error) {
              settle();
              controller.error(error);
            }
          },
          cancel(reason) {
            settle();
            return reader.cancel(reason);
          },
        });
        return { ...source, stream };
      },
    },
  });

  return {
    model: metered,
    get calls() {
      return calls;
    },
    cancel: async () => {
      if (calls > 0 || cancelled || !claimedMessage) return;
      cancelled = true;
      await returnPlanMessage(org.id);
    },
  };
}
