import { generateText, streamText, type LanguageModelUsage, type ModelMessage, type StepResult, type ToolSet } from "ai";
import { eq } from "drizzle-orm";
import type { AgentWithProvider } from "@/lib/agents";
import type { KnowledgeConfig } from "@/lib/agents-api/schemas";
import { getAgentView, listAgentViews, serializeAgent } from "@/lib/agents/manage";
import { startMetering, type RunMeter } from "@/lib/billing";
import { config } from "@/lib/config";
import type { Exchange } from "@/lib/conversations";
import { getDb, tables, type Db, type Generation, type Tool } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { knowledgeConfigOf, knowledgePrompt, retrieveForRun, tracedPassages, writeMemoryEntry } from "@/lib/knowledge";
import { resolveModel, toModelError } from "@/lib/llm";
import { cachedToolsOfAgent } from "@/lib/tools/store";
import { askGate, linkReviewThreads } from "./gate";
import { outcomeOf } from "./outcome";
import { recordRun } from "./records";
import { StepRecorder } from "./recorder";
import { boundaryAllows, stepRulesPreparer, toStopConditions, toToolChoice } from "./settings";
import { buildTools, type BuiltTools } from "./tools";
import { publishRunEnded } from "./events";
import { runOrg, type GenerationEvent, type GenerationOutcome, type PendingToolCall, type RunCaller } from "./types";

/** Starts a child generation (agent-to-agent); set by the starter so this module needs no cycle back to it. */
export type ChildStarter = (parent: Generation, caller: RunCaller, agentRef: string, message: string) => Promise<GenerationOutcome>;

/**
 * What the last step left waiting: client tool calls without a result, and gated tool calls the
 * approval gate sent to a reviewer (AI SDK approval requests).
 */
function pendingCalls(steps: Array<StepResult<ToolSet>>, clientToolNames: Set<string>, threads: Map<string, string>): PendingToolCall[] {
  const last = steps.at(-1);
  if (!last) return [];
  const answered = new Set(last.toolResults.map((result) => result.toolCallId));
  const client = last.toolCalls
    .filter((call) => clientToolNames.has(call.toolName) && !answered.has(call.toolCallId))
    .map((call) => ({ toolCallId: call.toolCallId, toolName: call.toolName, input: call.input }));
  const gated = last.content.flatMap((part) =>
    part.type === "tool-approval-request"
      ? [
          {
            toolCallId: part.toolCall.toolCallId,
            toolName: part.toolCall.toolName,
            input: part.toolCall.input,
            approvalId: part.approvalId,
            threadId: threads.get(part.toolCall.toolCallId),
          },
        ]
      : [],
  );
  return [...client, ...gated];
}

/** The turn that prompted the run, for the conversation record: the last user message with text. */
function promptOf(messages: unknown[]): { role: "user"; content: string } {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as ModelMessage;
    if (message.role === "user" && typeof message.content === "string") return { role: "user", content: message.content };
  }
  return { role: "user", content: "" };
}

/** How a run ended, for the conversation record. */
interface Ending {
  content: string;
  status: "completed" | "failed" | "aborted";
}

interface Settled {
  steps: Array<StepResult<ToolSet>>;
  responseMessages: ModelMessage[];
  text: string;
  usage: LanguageModelUsage;
  finishReason: string;
}

/**
 * One run of the model loop over a stored generation: the only place an agent runs. Every door
 * (chat, v1 chat, generate, tasks, agent-to-agent, resumes) goes through it, so tools, gating,
 * step rules, budgets, plan limits, deadlines and traces are the same everywhere.
 */
export class Run {
  readonly recorder: StepRecorder;
  private tools: BuiltTools | null = null;
  private meter: RunMeter | null = null;
  private modelId: string | null = null;
  private readonly deadline = AbortSignal.timeout(config().RUN_TIMEOUT_MS);
  private readonly signal: AbortSignal;
  /** Gated calls sent to review in this run: tool call id → thread id. */
  private readonly reviewThreads = new Map<string, string>();
  private readonly refusals = new Map<string, string>();

  /**
   * @param stored false for a new generation: its row is written once, when the run settles or
   *   pauses, which keeps a plain chat to one write (a resumed generation's row is updated).
   */
  constructor(
    private generation: Generation,
    private readonly loaded: AgentWithProvider,
    private readonly caller: RunCaller,
    private readonly startChild: ChildStarter,
    private stored: boolean,
  ) {
    this.recorder = new StepRecorder(generation.orgId, generation.id, stored);
    this.signal = AbortSignal.any([caller.signal, this.deadline]);
  }

  /** The generation's public id (`agt_gen_…`), known before the run has produced anything. */
  get generationId(): string {
    return this.generation.publicId;
  }

  /** The generation's row id, also the id of its reply in the conversation record. */
  get rowId(): string {
    return this.generation.id;
  }

  /**
   * Stores the generation's new state with its trace steps, and the exchange of a run that
   * ended. A new generation that ended is history, written behind the reply in a batch with its
   * exchange; one that paused is inserted before the reply (a resume must find it); a resumed
   * one is updated in place, with its `generation.*` event when it ended.
   */
  private async store(changes: Partial<Generation>, ending: Ending | null = null): Promise<void> {
    const next = { ...this.generation, ...changes, updatedAt: new Date() };
    this.generation = next;
    const exchange = ending ? this.exchange(ending) : null;
    if (!this.stored && next.status !== "requires_action") {
      recordRun({ generation: next, steps: this.recorder.take(), exchange });
      return;
    }
    if (exchange) recordRun({ generation: null, steps: [], exchange });
    const db = await getDb();
    if (this.stored) {
      await db.transaction(async (tx) => {
        await tx
          .update(tables.generations)
          .set({ ...changes, updatedAt: next.updatedAt })
          .where(eq(tables.generations.id, next.id));
        await publishRunEnded(tx, next);
      });
    } else {
      await db.insert(tables.generations).values(next);
    }
    this.stored = true;
    await this.recorder.flush();
  }

  private async prepare() {
    const { agent, provider } = this.loaded;
    const org = runOrg(this.caller);
    const { model, modelId } = resolveModel(agent, provider, this.caller.timing, org.billingMode);
    this.modelId = modelId;
    this.meter = await startMetering({ org, key: this.caller.key }, model, modelId);
    const db = await getDb();
    const knowledge = knowledgeConfigOf(agent.knowledgeConfig);
    const [agentTools, knowledgeText] = await Promise.all([cachedToolsOfAgent(db, agent.id), this.retrieveKnowledge(db, knowledge)]);
    const writeMemoryId = knowledge.write_memory_id ?? null;
    const tools = agentTools.length > 0 || writeMemoryId ? await this.buildTools(agentTools, writeMemoryId) : null;
    this.tools = tools;
    const system = [agent.instructions, knowledgeText].filter(Boolean).join("\n\n");
    return {
      model: this.meter.model,
      system: system || undefined,
      messages: this.generation.messages as ModelMessage[],
      temperature: agent.temperature ?? undefined,
      maxRetries: config().MODEL_MAX_RETRIES,
      abortSignal: this.signal,
      ...(tools && Object.keys(tools.tools).length > 0
        ? {
            tools: tools.tools,
            activeTools: tools.activeTools ?? undefined,
            toolChoice: toToolChoice(agent.toolChoice),
            stopWhen: toStopConditions(agent, this.generation.stepsUsed),
            prepareStep: stepRulesPreparer(agent.stepRules, tools, this.generation.stepsUsed),
          }
        : {}),
      onStepFinish: (step: StepResult<ToolSet>) =>
        this.recorder.modelStep(modelId, { inputTokens: step.usage.inputTokens, outputTokens: step.usage.outputTokens }),
    };
  }

  /**
   * The passages the agent's knowledge_config finds for the latest user message, as the model
   * reads them, recorded in the trace with their sources and scores; null when it names none.
   */
  private async retrieveKnowledge(db: Db, knowledge: KnowledgeConfig): Promise<string | null> {
    const startedAt = new Date();
    const t0 = performance.now();
    const query = promptOf(this.generation.messages).content;
    const retrieval = await retrieveForRun(db, this.generation.orgId, knowledge, query, this.caller.key);
    if (!retrieval) return null;
    const ms = performance.now() - t0;
    this.caller.timing.noteRetrieval(ms);
    this.recorder.retrieval(
      "knowledge",
      { query: retrieval.query, limit: retrieval.limit, min_score: retrieval.minScore },
      { mode: retrieval.mode, ...(retrieval.fallback ? { fallback: retrieval.fallback } : {}), passages: tracedPassages(retrieval) },
      startedAt,
      ms,
    );
    return retrieval.passages.length > 0 ? knowledgePrompt(retrieval.passages) : null;
  }

  private buildTools(agentTools: Tool[], writeMemoryId: string | null) {
    const { agent } = this.loaded;
    const orgId = this.generation.orgId;
    return buildTools(
      agentTools,
      { activeToolIds: agent.activeToolIds, actionAllowed: (action) => boundaryAllows(agent.boundaryPolicy, action) },
      {
        recorder: this.recorder,
        toolContext: this.generation.toolContext,
        signal: this.signal,
        trace: { traceId: this.generation.traceId, rootTraceId: this.generation.rootTraceId, callDepth: this.generation.callDepth },
        callAgent: async (agentRef, message) => {
          const child = await this.startChild(this.generation, { ...this.caller, signal: this.signal }, agentRef, message);
          return { generation_id: child.id, status: child.status, text: child.text, trace_id: child.traceId };
        },
        listAgents: async () => (await listAgentViews(await getDb(), orgId)).map(serializeAgent),
        getAgent: async (agentRef) => serializeAgent(await getAgentView(await getDb(), orgId, agentRef)),
        gate: async (toolName, toolCallId, input) => {
          const verdict = await askGate(agent, this.generation, toolName, input);
          if (verdict.action === "refuse") this.refusals.set(toolCallId, verdict.reason);
          if (verdict.action !== "review") return false;
          this.reviewThreads.set(toolCallId, verdict.threadId);
          return true;
        },
        refusals: this.refusals,
        writeMemory: writeMemoryId
          ? async (args) => writeMemoryEntry(await getDb(), orgId, writeMemoryId, args, this.generation.publicId, this.caller.key)
          : null,
      },
    );
  }

  /** Runs to the end (or to a pause) and returns the outcome. */
  async complete(): Promise<GenerationOutcome> {
    try {
      const result = await generateText(await this.prepare());
      return await this.finish({
        steps: result.steps,
        responseMessages: result.response.messages,
        text: result.text,
        usage: result.totalUsage,
        finishReason: result.finishReason,
      });
    } catch (error) {
      throw await this.fail(error, this.caller.signal.aborted ? "aborted" : "failed");
    } finally {
      await this.tools?.close();
    }
  }

  /** Runs while streaming text deltas and tool activity; a caller that stops reading ends the run. */
  async *stream(): AsyncGenerator<GenerationEvent, void> {
    let settled = false;
    // Taken from onFinish: each of the result's promise getters would tee the whole stream again.
    const ended: { value?: Settled } = {};
    try {
      const result = streamText({
        ...(await this.prepare()),
        onError: () => undefined,
        onFinish: (event) => {
          ended.value = {
            steps: event.steps,
            responseMessages: event.response.messages,
            text: event.text,
            usage: event.totalUsage,
            finishReason: event.finishReason,
          };
        },
      });
      for await (const part of result.fullStream) {
        if (part.type === "text-delta") yield { type: "text-delta", delta: part.text };
        else if (part.type === "tool-call")
          yield { type: "tool-call", toolCallId: part.toolCallId, toolName: part.toolName, input: part.input };
        else if (part.type === "tool-result") {
          yield { type: "tool-result", toolCallId: part.toolCallId, toolName: part.toolName, output: part.output };
        } else if (part.type === "error") throw part.error;
        else if (part.type === "abort") throw new Error("generation aborted");
      }
      if (!ended.value) throw new Error("The model stream ended without finishing");
      const outcome = await this.finish(ended.value);
      settled = true;
      yield { type: "done", outcome };
    } catch (error) {
      settled = true;
      throw await this.fail(error, this.caller.signal.aborted ? "aborted" : "failed");
    } finally {
      // The reader went away mid-run (the generator was closed): end the run as aborted.
      if (!settled) await this.fail(new Error("The caller went away before the run finished"), "aborted").catch(() => undefined);
      await this.tools?.close();
    }
  }

  private async finish(settled: Settled): Promise<GenerationOutcome> {
    const pending = pendingCalls(settled.steps, this.tools?.clientToolNames ?? new Set(), this.reviewThreads);
    const usage = { inputTokens: settled.usage.inputTokens ?? 0, outputTokens: settled.usage.outputTokens ?? 0 };
    await this.store(
      {
        status: pending.length > 0 ? "requires_action" : "completed",
        model: this.modelId,
        messages: [...(this.generation.messages as ModelMessage[]), ...settled.responseMessages],
        pendingToolCalls: pending.length > 0 ? pending : null,
        stepsUsed: this.generation.stepsUsed + settled.steps.length,
        text: pending.length > 0 ? null : settled.text,
        inputTokens: this.generation.inputTokens + usage.inputTokens,
        outputTokens: this.generation.outputTokens + usage.outputTokens,
      },
      pending.length > 0 ? null : { content: settled.text, status: "completed" },
    );
    await linkReviewThreads(this.generation, pending);
    return outcomeOf(this.generation, pending.length > 0 ? "tool-calls" : settled.finishReason);
  }

  private async fail(error: unknown, status: "failed" | "aborted"): Promise<ApiError> {
    const refusedUpFront = (this.meter?.calls ?? 0) === 0 && !this.stored;
    // A caller that stopped the run on purpose says why (A2A's tasks/cancel): the model call's own
    // error would only echo the abort.
    const reason: unknown = this.caller.signal.aborted ? this.caller.signal.reason : undefined;
    const apiError = reason instanceof ApiError ? reason : toModelError(error, this.deadline.aborted, config().RUN_TIMEOUT_MS);
    // Refused before any model call (plan, budget, provider key): a new run leaves nothing behind.
    if (refusedUpFront) {
      await this.meter?.cancel().catch(() => console.error("[conduit] could not give back a plan message"));
      return apiError;
    }
    // The caller hears the run's own error even if storing its failure fails too.
    await this.store({ status: "failed", model: this.modelId, error: apiError.message }, { content: "", status }).catch(() =>
      console.error(`[conduit] could not store the failure of generation ${this.generation.publicId}`),
    );
    return apiError;
  }

  /** The finished exchange for the conversation record. */
  private exchange(ending: Ending): Exchange {
    return {
      orgId: this.generation.orgId,
      agentId: this.generation.agentId,
      apiKeyId: this.caller.key?.id ?? null,
      channel: this.generation.door,
      conversationId: this.generation.conversationId,
      prompt: promptOf(this.generation.messages),
      reply: {
        id: this.generation.id,
        content: ending.content,
        model: this.modelId ?? "",
        inputTokens: this.generation.inputTokens,
        outputTokens: this.generation.outputTokens,
        latencyMs: Date.now() - this.generation.createdAt.getTime(),
        status: ending.status,
      },
    };
  }
}
