import type { ModelMessage } from "ai";
import { and, eq, inArray } from "drizzle-orm";
import type { AgentWithProvider } from "@/lib/agents";
import { CHANNEL_TYPES } from "@/lib/contracts/doors";
import { getDb, tables, type Door, type Generation } from "@/lib/db";
import { ApiError, notFound, toApiError } from "@/lib/errors";
import { issueApprovalToken, validateApprovalToken } from "@/lib/gate/tokens";
import { RequestTiming } from "@/lib/http/timing";
import { PermanentJobError, type JobHandler } from "@/lib/jobs";
import { backgroundRefusal, loadApiKeyById, type ResolvedKey } from "@/lib/keys";
import { now } from "@/lib/runtime/clock";
import { processSingleton } from "@/lib/runtime/singleton";
import { outcomeOf } from "./outcome";
import { flushGenerationRecords } from "./records";
import { loadAgent, resumeRun } from "./start";
import { publishRunEnded } from "./events";
import { runOrg, type GenerationOutcome, type RunCaller, type RunOrg } from "./types";

/** How a run resumed in the background (after a review) ended, for the door that started it. */
export type ResumedRun = { generation: Generation; outcome: GenerationOutcome } | { generation: Generation; error: ApiError };
export type ResumedRunListener = (resumed: ResumedRun) => Promise<void>;

const resumeListeners = () => processSingleton("generations:resume-listeners", () => new Map<Door, ResumedRunListener>());

/**
 * A door whose runs can pause on a review and that must hear how they end (tasks answer their
 * caller's webhook) registers here, from the composition root.
 */
export function onResumedRun(door: Door, listener: ResumedRunListener): void {
  resumeListeners().set(door, listener);
}

/** A generation of this agent, with the agent (from the short cache) a resume runs. */
async function findGeneration(
  agentRef: string,
  generationPublicId: string,
  orgId: string,
): Promise<{ generation: Generation; loaded: AgentWithProvider }> {
  const loaded = await loadAgent(orgId, agentRef);
  await flushGenerationRecords();
  const db = await getDb();
  const [generation] = await db
    .select()
    .from(tables.generations)
    .where(
      and(
        eq(tables.generations.publicId, generationPublicId),
        eq(tables.generations.orgId, orgId),
        eq(tables.generations.agentId, loaded.agent.id),
      ),
    )
    .limit(1);
  if (!generation) throw notFound("Generation");
  return { generation, loaded };
}

/** A generation of this agent, as the generate endpoint reports it. */
export async function getGeneration(
  agentRef: string,
  generationPublicId: string,
  caller: { key: { orgId: string } },
): Promise<GenerationOutcome> {
  return outcomeOf((await findGeneration(agentRef, generationPublicId, caller.key.orgId)).generation);
}

/**
 * Resumes a generation paused on client tools. Every pending call must be answered; unknown or
 * already answered ids are refused, and only one submission can claim the paused run.
 */
export async function submitToolOutputs(
  agentRef: string,
  generationPublicId: string,
  outputs: Array<{ tool_call_id: string; output: unknown }>,
  caller: RunCaller,
): Promise<GenerationOutcome> {
  const { generation, loaded } = await findGeneration(agentRef, generationPublicId, runOrg(caller).id);
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

  const outputOf = (toolCallId: string) => outputs.find((candidate) => candidate.tool_call_id === toolCallId)!.output;
  const toolMessage: ModelMessage = {
    role: "tool",
    content: pending.map((call) => {
      const output = outputOf(call.toolCallId);
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
  const claimed = await claimPausedRun(generation, toolMessage);
  if (!claimed) throw new ApiError("BAD_REQUEST", `Tool outputs for generation ${generationPublicId} were already submitted`);

  const run = resumeRun(claimed, loaded, caller);
  for (const call of pending) run.recorder.clientOutput(call.toolName, call.toolCallId, outputOf(call.toolCallId), generation.updatedAt);
  return run.complete();
}

/** Claims a paused run atomically with its answers: of two concurrent resumes only one wins. */
async function claimPausedRun(generation: Generation, answers: ModelMessage): Promise<Generation | null> {
  const db = await getDb();
  const [claimed] = await db
    .update(tables.generations)
    .set({
      status: "running",
      pendingToolCalls: null,
      messages: [...(generation.messages as ModelMessage[]), answers],
      updatedAt: new Date(),
    })
    .where(and(eq(tables.generations.id, generation.id), eq(tables.generations.status, "requires_action")))
    .returning();
  return claimed ?? null;
}

/** Ends a paused run without resuming it (its key may no longer run anything); null if another resume won. */
async function failPausedRun(generation: Generation, error: ApiError): Promise<Generation | null> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [failed] = await tx
      .update(tables.generations)
      .set({ status: "failed", pendingToolCalls: null, error: error.message, updatedAt: new Date() })
      .where(and(eq(tables.generations.id, generation.id), eq(tables.generations.status, "requires_action")))
      .returning();
    if (failed) await publishRunEnded(tx, failed);
    return failed ?? null;
  });
}

/** Doors whose runs may go without a key: a member trying an agent, website visitors, messages on channels, automations. */
const PAID_BY_ORGANISATION = new Set<Door>(["dashboard", "widget", "automation", ...CHANNEL_TYPES]);

/**
 * Who pays for a resumed run: the key it started with, or, for a run started without a key (the
 * dashboard, a channel), its organisation. A run whose key was deleted does not fall back to the
 * organisation.
 */
async function payerOf(generation: Generation): Promise<{ key: ResolvedKey; org?: never } | { key: null; org: RunOrg }> {
  if (generation.apiKeyId) {
    const key = await loadApiKeyById(generation.apiKeyId);
    if (key) return { key };
  } else if (PAID_BY_ORGANISATION.has(generation.door)) {
    const db = await getDb();
    const [org] = await db.select().from(tables.organisations).where(eq(tables.organisations.id, generation.orgId));
    if (org) return { key: null, org };
  }
  throw new PermanentJobError("The generation's API key no longer exists");
}

/**
 * Resumes a run paused on gated tool calls once every one of them has a final decision. An
 * approval only counts after its one-time approval token validates; then the AI SDK runs the
 * approved calls and tells the model about refused ones. The door that started the run hears
 * how it ended.
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
    const payer = await payerOf(generation);
    const refusal = payer.key ? backgroundRefusal(payer.key, now()) : null;
    if (refusal) {
      const ended = await failPausedRun(generation, refusal);
      if (ended) await resumeListeners().get(generation.door)?.({ generation: ended, error: refusal });
      return;
    }

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
    const claimed = await claimPausedRun(generation, { role: "tool", content: responses });
    if (!claimed) return;
    const loaded = await loadAgent(generation.orgId, generation.agentId);
    const listener = resumeListeners().get(generation.door);
    const caller: RunCaller = { ...payer, timing: new RequestTiming(performance.now()), signal: new AbortController().signal };
    let resumed: ResumedRun;
    try {
      resumed = { generation, outcome: await resumeRun(claimed, loaded, caller).complete() };
    } catch (error) {
      resumed = { generation, error: toApiError(error, generation.publicId) };
    }
    await listener?.(resumed);
    if ("error" in resumed && !listener) throw resumed.error;
  },
};
