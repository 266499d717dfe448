import {
  generateText,
  hasToolCall,
  stepCountIs,
  streamText,
  type LanguageModelUsage,
  type ModelMessage,
  type StepResult,
  type StopCondition,
  type ToolSet,
} from "ai";
import { and, eq, inArray } from "drizzle-orm";
import { findAgent, isAgentRef, type AgentWithProvider } from "@/lib/agents";
import { findActorOfAgent } from "@/lib/agents/actors";
import { listAgentViews, getAgentView, serializeAgent } from "@/lib/agents/manage";
import { startMetering, type Meter } from "@/lib/billing";
import { config } from "@/lib/config";
import { getDb, newPublicId, tables, type Agent, type Generation } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { requestDecision } from "@/lib/gate";
import { issueApprovalToken, validateApprovalToken } from "@/lib/gate/tokens";
import { createGateTool, findGateToolByName } from "@/lib/gate/tools";
import { RequestTiming } from "@/lib/http/timing";
import { enqueueJob, PermanentJobError, type JobHandler } from "@/lib/jobs";
import { loadApiKeyById, type ResolvedKey } from "@/lib/keys";
import { resolveModel, toModelError } from "@/lib/llm";
import { toolsOfAgent } from "@/lib/tools/store";
import { StepRecorder } from "./recorder";
import { buildTools, type BuiltTools } from "./tools";

const DEFAULT_MAX_STEPS = 10;

export interface GenerationCaller {
  /** The key that pays: its budget is reserved before the run and charged after. */
  key: ResolvedKey;
  timing: RequestTiming;
  signal: AbortSignal;
}

export interface GenerateRequest {
  agentRef: string;
  messages: Array<{ role: "system" | "user" | "assistant"; content: string }>;
  traceId?: string;
  parentTraceId?: string | null;
  rootTraceId?: string | null;
  maxCallDepth: number;
  /** How deep in an agent-to-agent chain this generation is (0: called from outside). */
  callDepth: number;
  toolContext?: Record<string, string> | null;
  actorRef?: string;
}

export interface PendingToolCall {
  toolCallId: string;
  toolName: string;
  input: unknown;
  /** Set for gated tool calls waiting on a reviewer (AI SDK tool approval). */
  approvalId?: string;
  threadId?: string;
}

export interface GenerationOutcome {
  id: string;
  /** running and failed only show when reading a generation back (GET), never from generate. */
  status: "completed" | "requires_action" | "running" | "failed";
  text: string | null;
  toolCalls: PendingToolCall[];
  traceId: string;
  usage: { inputTokens: number; outputTokens: number };
}

export type GenerationEvent =
  | { type: "text-delta"; delta: string }
  | { type: "tool-call"; toolCallId: string; toolName: string; input: unknown }
  | { type: "tool-result"; toolCallId: string; toolName: string; output: unknown }
  | { type: "done"; outcome: GenerationOutcome };

type LoadedAgent = AgentWithProvider;

/** The agent and its provider, from the same short cache the chat surfaces use. */
async function loadAgent(orgId: string, ref: string): Promise<LoadedAgent> {
  const target = isAgentRef(ref) ? await findAgent(orgId, ref) : null;
  if (!target) throw notFound("Agent");
  return target;
}

function toStopConditions(agent: Agent, stepsUsed: number): Array<StopCondition<ToolSet>> {
  const remaining = Math.max(1, (agent.maxSteps ?? DEFAULT_MAX_STEPS) - stepsUsed);
  const conditions: Array<StopCondition<ToolSet>> = [stepCountIs(remaining)];
  for (const condition of agent.stopConditions ?? []) {
    const type = String(condition.type ?? "");
    if (["step_count", "stepCountIs"].includes(type)) {
      const count = Number(condition.count ?? condition.value);
      if (Number.isInteger(count) && count > 0) conditions.push(stepCountIs(Math.max(1, count - stepsUsed)));
    } else if (["has_tool_call", "hasToolCall"].includes(type)) {
      const name = condition.tool_name ?? condition.toolName ?? condition.value;
      if (typeof name === "string") conditions.push(hasToolCall(name));
    }
  }
  return conditions;
}

type ToolChoiceSetting = "auto" | "none" | "required" | { type: "tool"; toolName: string };

function toToolChoice(choice: Record<string, unknown> | null): ToolChoiceSetting | undefined {
  if (!choice) return undefined;
  const type = choice.type;
  if (type === "auto" || type === "none" || type === "required") return type;
  const toolName = choice.tool_name ?? choice.toolName;
  if (type === "tool" && typeof toolName === "string") return { type: "tool", toolName };
  return undefined;
}

function addUsage(generation: { inputTokens: number; outputTokens: number }, usage: LanguageModelUsage) {
  return {
    inputTokens: generation.inputTokens + (usage.inputTokens ?? 0),
    outputTokens: generation.outputTokens + (usage.outputTokens ?? 0),
  };
}

function outcomeOf(generation: Generation): GenerationOutcome {
  return {
    id: generation.publicId,
    status: generation.status,
    text: generation.text,
    toolCalls: generation.pendingToolCalls ?? [],
    traceId: generation.traceId,
    usage: { inputTokens: generation.inputTokens, outputTokens: generation.outputTokens },
  };
}

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

/** One run of the model loop over a stored generation, as generate or resume. */
class Run {
  readonly recorder: StepRecorder;
  private tools: BuiltTools | null = null;
  private readonly deadline = AbortSignal.timeout(config().RUN_TIMEOUT_MS);
  private readonly signal: AbortSignal;

  constructor(
    private generation: Generation,
    private readonly loaded: LoadedAgent,
    private readonly caller: GenerationCaller,
  ) {
    this.recorder = new StepRecorder(generation.orgId, generation.id);
    this.signal = AbortSignal.any([caller.signal, this.deadline]);
  }

  private meter: Meter | null = null;
  /** Gated calls sent to review in this run: tool call id → thread id. */
  private readonly reviewThreads = new Map<string, string>();
  private readonly refusals = new Map<string, string>();

  private async settings() {
    const { agent, provider } = this.loaded;
    const { model, modelId } = resolveModel(agent, provider, this.caller.timing, this.caller.key.org.billingMode);
    const promptChars = JSON.stringify(this.generation.messages).length + (agent.instructions?.length ?? 0);
    this.meter = await startMetering(this.caller.key, modelId, promptChars);
    this.tools = await buildTools(await toolsOfAgent(await getDb(), agent.id), agent.activeToolIds, {
      recorder: this.recorder,
      toolContext: this.generation.toolContext,
      signal: this.signal,
      callAgent: (agentRef, message) => this.callAgent(agentRef, message),
      listAgents: async () => (await listAgentViews(await getDb(), this.generation.orgId)).map(serializeAgent),
      getAgent: async (agentRef) => serializeAgent(await getAgentView(await getDb(), this.generation.orgId, agentRef)),
      gate: (toolName, toolCallId, input) => this.askGate(toolName, toolCallId, input),
      refusals: this.refusals,
    });
    const hasTools = Object.keys(this.tools.tools).length > 0;
    return {
      modelId,
      call: {
        model,
        system: agent.instructions ?? undefined,
        messages: this.generation.messages as ModelMessage[],
        temperature: agent.temperature ?? undefined,
        maxRetries: config().MODEL_MAX_RETRIES,
        abortSignal: this.signal,
        ...(hasTools
          ? {
              tools: this.tools.tools,
              activeTools: this.tools.activeTools ?? undefined,
              toolChoice: toToolChoice(agent.toolChoice),
              stopWhen: toStopConditions(agent, this.generation.stepsUsed),
            }
          : {}),
        onStepFinish: (step: StepResult<ToolSet>) =>
          this.recorder.modelStep(modelId, { inputTokens: step.usage.inputTokens, outputTokens: step.usage.outputTokens }),
      },
    };
  }

  /**
   * A gated tool call goes to the approval gate of the gate agent linked to this agent, as a
   * request of the task named after the generation: allow runs it, reject refuses it, a review
   * pauses the run. A tool the gate does not know yet is registered for review.
   */
  private async askGate(toolName: string, toolCallId: string, input: unknown): Promise<boolean> {
    const db = await getDb();
    const { agent } = this.loaded;
    const [gateAgent] = await db
      .select()
      .from(tables.gateAgents)
      .where(and(eq(tables.gateAgents.orgId, agent.orgId), eq(tables.gateAgents.agentId, agent.id), eq(tables.gateAgents.status, "active")))
      .limit(1);
    if (!gateAgent) {
      this.refusals.set(toolCallId, `${toolName} needs approval, but no gate agent is linked to this agent`);
      return false;
    }
    if (!(await findGateToolByName(db, agent.orgId, toolName))) {
      await createGateTool(db, agent.orgId, { name: toolName, default_action: "review" }).catch(() => undefined);
    }
    const decision = await requestDecision(db, gateAgent, this.generation.publicId, {
      workflow_name: agent.name ?? agent.publicId,
      task_label: `${toolName} in ${this.generation.publicId}`,
      tool_name: toolName,
      subject: `${agent.name ?? agent.publicId} wants to call ${toolName}`,
      payload: (input ?? {}) as Record<string, unknown>,
    });
    if (decision.status === "allow") return false;
    if (decision.status === "reject") {
      this.refusals.set(toolCallId, `The approval gate refused this call: ${decision.message}`);
      return false;
    }
    this.reviewThreads.set(toolCallId, decision.thread_id!);
    return true;
  }

  /** Agent-to-agent: a child generation in the same trace tree, one level deeper. */
  private async callAgent(agentRef: string, message: string): Promise<unknown> {
    const child = await startGeneration(
      {
        agentRef,
        messages: [{ role: "user", content: message }],
        parentTraceId: this.generation.traceId,
        rootTraceId: this.generation.rootTraceId,
        maxCallDepth: this.generation.maxCallDepth,
        callDepth: this.generation.callDepth + 1,
        toolContext: this.generation.toolContext,
      },
      { ...this.caller, signal: this.signal },
    );
    return { generation_id: child.id, status: child.status, text: child.text, trace_id: child.traceId };
  }

  async complete(): Promise<GenerationOutcome> {
    try {
      const { call } = await this.settings();
      const result = await generateText(call);
      return await this.finish(result.steps, result.response.messages, result.text, result.totalUsage);
    } catch (error) {
      throw await this.fail(error);
    } finally {
      await this.tools?.close();
    }
  }

  async *stream(): AsyncGenerator<GenerationEvent, void> {
    try {
      const { call } = await this.settings();
      const result = streamText({ ...call, onError: () => undefined });
      for await (const part of result.fullStream) {
        if (part.type === "text-delta") yield { type: "text-delta", delta: part.text };
        else if (part.type === "tool-call")
          yield { type: "tool-call", toolCallId: part.toolCallId, toolName: part.toolName, input: part.input };
        else if (part.type === "tool-result") {
          yield { type: "tool-result", toolCallId: part.toolCallId, toolName: part.toolName, output: part.output };
        } else if (part.type === "error") throw part.error;
        else if (part.type === "abort") throw new Error("generation aborted");
      }
      const [steps, response, text, usage] = await Promise.all([result.steps, result.response, result.text, result.totalUsage]);
      yield { type: "done", outcome: await this.finish(steps, response.messages, text, usage) };
    } catch (error) {
      throw await this.fail(error);
    } finally {
      await this.tools?.close();
    }
  }

  private async finish(
    steps: Array<StepResult<ToolSet>>,
    responseMessages: ModelMessage[],
    text: string,
    usage: LanguageModelUsage,
  ): Promise<GenerationOutcome> {
    const pending = pendingCalls(steps, this.tools?.clientToolNames ?? new Set(), this.reviewThreads);
    this.meter?.settle({ inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0 });
    this.meter = null;
    const db = await getDb();
    const [stored] = await db
      .update(tables.generations)
      .set({
        status: pending.length > 0 ? "requires_action" : "completed",
        messages: [...(this.generation.messages as ModelMessage[]), ...responseMessages],
        pendingToolCalls: pending.length > 0 ? pending : null,
        stepsUsed: this.generation.stepsUsed + steps.length,
        text: pending.length > 0 ? null : text,
        ...addUsage(this.generation, usage),
        updatedAt: new Date(),
      })
      .where(eq(tables.generations.id, this.generation.id))
      .returning();
    this.generation = stored!;
    await this.recorder.flush();
    await linkReviewThreads(this.generation, pending);
    return outcomeOf(this.generation);
  }

  private async fail(error: unknown): Promise<ApiError> {
    this.meter?.release();
    this.meter = null;
    const apiError = toModelError(error, this.deadline.aborted, config().RUN_TIMEOUT_MS);
    const db = await getDb();
    await db
      .update(tables.generations)
      .set({ status: "failed", error: apiError.message, updatedAt: new Date() })
      .where(eq(tables.generations.id, this.generation.id));
    await this.recorder.flush().catch(() => undefined);
    return apiError;
  }
}

async function createGenerationRow(
  request: GenerateRequest,
  loaded: LoadedAgent,
  caller: GenerationCaller,
  status: "running" | "completed",
  text: string | null,
) {
  const db = await getDb();
  const actor = request.actorRef ? await findActorOfAgent(db, caller.key.orgId, loaded.agent.id, request.actorRef) : null;
  const traceId = request.traceId ?? newPublicId("trace");
  const [generation] = await db
    .insert(tables.generations)
    .values({
      publicId: newPublicId("generation"),
      orgId: caller.key.orgId,
      agentId: loaded.agent.id,
      apiKeyId: caller.key.id,
      actorId: actor?.id ?? null,
      status,
      traceId,
      parentTraceId: request.parentTraceId ?? null,
      rootTraceId: request.rootTraceId ?? traceId,
      callDepth: request.callDepth,
      maxCallDepth: request.maxCallDepth,
      toolContext: request.toolContext ?? null,
      messages: request.messages,
      text,
    })
    .returning();
  return generation!;
}

/**
 * Starts a generation. Past the call-depth limit it does not run at all and answers with a
 * depth-guard message, so agents calling agents cannot recurse without end.
 */
async function prepareGeneration(request: GenerateRequest, caller: GenerationCaller): Promise<{ run: Run | null; generation: Generation }> {
  const loaded = await loadAgent(caller.key.orgId, request.agentRef);
  if (request.callDepth >= request.maxCallDepth) {
    const text = `Depth guard: the maximum agent call depth (${request.maxCallDepth}) was reached, so this generation did not run.`;
    return { run: null, generation: await createGenerationRow(request, loaded, caller, "completed", text) };
  }
  const generation = await createGenerationRow(request, loaded, caller, "running", null);
  return { run: new Run(generation, loaded, caller), generation };
}

export async function startGeneration(request: GenerateRequest, caller: GenerationCaller): Promise<GenerationOutcome> {
  const { run, generation } = await prepareGeneration(request, caller);
  return run ? run.complete() : outcomeOf(generation);
}

/** Streams a generation; resolves once the first event is in, so early failures get a real status. */
export async function streamGeneration(
  request: GenerateRequest,
  caller: GenerationCaller,
): Promise<{ first: GenerationEvent; rest: AsyncGenerator<GenerationEvent, void> }> {
  const { run, generation } = await prepareGeneration(request, caller);
  const rest: AsyncGenerator<GenerationEvent, void> = run
    ? run.stream()
    : (async function* () {
        yield { type: "done" as const, outcome: outcomeOf(generation) };
      })();
  const first = await rest.next();
  if (first.done) throw new ApiError("UPSTREAM_ERROR", "The generation ended without any output");
  return { first: first.value, rest };
}

/**
 * Resumes a generation paused on client tools. Every pending call must be answered; unknown or
 * already answered ids are refused, and only one submission can claim the paused run.
 */
export async function submitToolOutputs(
  agentRef: string,
  generationPublicId: string,
  outputs: Array<{ tool_call_id: string; output: unknown }>,
  caller: GenerationCaller,
): Promise<GenerationOutcome> {
  const loaded = await loadAgent(caller.key.orgId, agentRef);
  const db = await getDb();
  const [generation] = await db
    .select()
    .from(tables.generations)
    .where(
      and(
        eq(tables.generations.publicId, generationPublicId),
        eq(tables.generations.orgId, caller.key.orgId),
        eq(tables.generations.agentId, loaded.agent.id),
      ),
    )
    .limit(1);
  if (!generation) throw notFound("Generation");
  const pending = generation.pendingToolCalls ?? [];
  if (pending.some((call) => call.approvalId)) {
    throw new ApiError("BAD_REQUEST", `Generation ${generationPublicId} is waiting for a reviewer's decision, not for tool outputs`);
  }
  if (generation.status !== "requires_action" || pending.length === 0) {
    throw new ApiError("BAD_REQUEST", `Generation ${generationPublicId} is not waiting for tool outputs (status: ${generation.status})`);
  }
  const pendingIds = new Set(pending.map((call) => call.toolCallId));
  const unknown = outputs.filter((output) => !pendingIds.has(output.tool_call_id)).map((output) => output.tool_call_id);
  if (unknown.length > 0) throw new ApiError("BAD_REQUEST", `Unknown or already answered tool_call_ids: ${unknown.join(", ")}`);
  const given = new Set(outputs.map((output) => output.tool_call_id));
  const missing = pending.filter((call) => !given.has(call.toolCallId)).map((call) => call.toolCallId);
  if (missing.length > 0) throw new ApiError("BAD_REQUEST", `Missing outputs for tool_call_ids: ${missing.join(", ")}`);
  if (given.size !== outputs.length) throw new ApiError("BAD_REQUEST", "Each tool_call_id may be answered once");

  const toolMessage: ModelMessage = {
    role: "tool",
    content: pending.map((call) => {
      const output = outputs.find((candidate) => candidate.tool_call_id === call.toolCallId)!.output;
      return {
        type: "tool-result" as const,
        toolCallId: call.toolCallId,
        toolName: call.toolName,
        output:
          typeof output === "string"
            ? { type: "text" as const, value: output }
            : { type: "json" as const, value: (output ?? null) as never },
      };
    }),
  };
  // Claim the paused run atomically: of two concurrent submissions only one resumes it.
  const [claimed] = await db
    .update(tables.generations)
    .set({
      status: "running",
      pendingToolCalls: null,
      messages: [...(generation.messages as ModelMessage[]), toolMessage],
      updatedAt: new Date(),
    })
    .where(and(eq(tables.generations.id, generation.id), eq(tables.generations.status, "requires_action")))
    .returning();
  if (!claimed) throw new ApiError("BAD_REQUEST", `Tool outputs for generation ${generationPublicId} were already submitted`);

  const run = new Run(claimed, loaded, caller);
  for (const call of pending) {
    const output = outputs.find((candidate) => candidate.tool_call_id === call.toolCallId)!.output;
    run.recorder.clientOutput(call.toolName, call.toolCallId, output, generation.updatedAt);
  }
  return run.complete();
}

/**
 * Connects the review threads of a paused run to its generation, so a reviewer's decision
 * resumes it; a decision that came first is picked up here.
 */
async function linkReviewThreads(generation: Generation, pending: PendingToolCall[]): Promise<void> {
  const threadIds = pending.flatMap((call) => (call.threadId ? [call.threadId] : []));
  if (threadIds.length === 0) return;
  const db = await getDb();
  const linked = await db
    .update(tables.gateThreads)
    .set({ generationId: generation.id })
    .where(and(eq(tables.gateThreads.orgId, generation.orgId), inArray(tables.gateThreads.publicId, threadIds)))
    .returning({ status: tables.gateThreads.status });
  if (linked.some((thread) => thread.status === "approved" || thread.status === "rejected")) {
    await enqueueJob(db, { kind: "generation.resume-after-review", payload: { generationId: generation.id } });
  }
}

/**
 * Resumes a run paused on gated tool calls once every one of them has a final decision. An
 * approval only counts after its one-time approval token validates; then the AI SDK runs the
 * approved calls and tells the model about refused ones.
 */
export const reviewResumeHandler: JobHandler<"generation.resume-after-review"> = {
  async run(payload) {
    const db = await getDb();
    const [generation] = await db.select().from(tables.generations).where(eq(tables.generations.id, payload.generationId));
    if (!generation || generation.status !== "requires_action") return;
    const waiting = (generation.pendingToolCalls ?? []).filter((call) => call.approvalId && call.threadId);
    if (waiting.length === 0) return;
    const threads = await db
      .select()
      .from(tables.gateThreads)
      .where(
        and(
          eq(tables.gateThreads.orgId, generation.orgId),
          inArray(
            tables.gateThreads.publicId,
            waiting.map((call) => call.threadId!),
          ),
        ),
      );
    if (threads.length < waiting.length || threads.some((thread) => thread.status === "needs_review" || thread.status === "escalated"))
      return;

    const responses = [];
    for (const call of waiting) {
      const thread = threads.find((candidate) => candidate.publicId === call.threadId)!;
      let approved = thread.status === "approved";
      let reason = thread.decisionMessage ?? undefined;
      if (approved) {
        const { token } = await issueApprovalToken(db, {
          orgId: generation.orgId,
          threadId: thread.id,
          threadPublicId: thread.publicId,
          taskId: thread.taskId,
        });
        const check = await validateApprovalToken(db, { orgId: generation.orgId, taskId: generation.publicId, signature: token });
        if (!check.valid) {
          approved = false;
          reason = `The approval token did not validate (${check.reason})`;
        }
      }
      responses.push({ type: "tool-approval-response" as const, approvalId: call.approvalId!, approved, ...(reason ? { reason } : {}) });
    }
    const [claimed] = await db
      .update(tables.generations)
      .set({
        status: "running",
        pendingToolCalls: null,
        messages: [...(generation.messages as ModelMessage[]), { role: "tool", content: responses }],
        updatedAt: new Date(),
      })
      .where(and(eq(tables.generations.id, generation.id), eq(tables.generations.status, "requires_action")))
      .returning();
    if (!claimed) return;
    const key = generation.apiKeyId ? await loadApiKeyById(generation.apiKeyId) : null;
    if (!key) throw new PermanentJobError("The generation's API key no longer exists");
    const loaded = await loadAgent(generation.orgId, generation.agentId);
    await new Run(claimed, loaded, { key, timing: new RequestTiming(performance.now()), signal: new AbortController().signal }).complete();
  },
};

/** A generation of this agent, as the generate endpoint reports it. */
export async function getGeneration(
  agentRef: string,
  generationPublicId: string,
  caller: Pick<GenerationCaller, "key">,
): Promise<GenerationOutcome> {
  const loaded = await loadAgent(caller.key.orgId, agentRef);
  const db = await getDb();
  const [generation] = await db
    .select()
    .from(tables.generations)
    .where(
      and(
        eq(tables.generations.publicId, generationPublicId),
        eq(tables.generations.orgId, caller.key.orgId),
        eq(tables.generations.agentId, loaded.agent.id),
      ),
    );
  if (!generation) throw notFound("Generation");
  return outcomeOf(generation);
}

export function serializeGeneration(outcome: GenerationOutcome) {
  return {
    id: outcome.id,
    status: outcome.status,
    text: outcome.text,
    tool_calls:
      outcome.status === "requires_action"
        ? outcome.toolCalls.map((call) => ({
            tool_call_id: call.toolCallId,
            tool_name: call.toolName,
            args: call.input,
            ...(call.threadId ? { approval: { thread_id: call.threadId } } : {}),
          }))
        : null,
    trace_id: outcome.traceId,
    usage: {
      input_tokens: outcome.usage.inputTokens,
      output_tokens: outcome.usage.outputTokens,
      total_tokens: outcome.usage.inputTokens + outcome.usage.outputTokens,
    },
  };
}
