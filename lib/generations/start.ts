import { randomUUID } from "node:crypto";
import { findActorOfAgent } from "@/lib/agents/actors";
import { findAgent, isAgentRef, type AgentWithProvider } from "@/lib/agents";
import { getDb, newPublicId, tables, type Generation } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { keyAllowsAgent } from "@/lib/keys";
import { outcomeOf } from "./outcome";
import { Run } from "./run";
import { runOrg, type GenerationEvent, type GenerationOutcome, type RunCaller, type RunRequest, type StartedStream } from "./types";

/** Agent-to-agent chains stop here: a request may ask for less, never more. */
const MAX_CALL_DEPTH = 10;

/** The agent and its provider, from the same short cache every door uses. */
export async function loadAgent(orgId: string, ref: string): Promise<AgentWithProvider> {
  const target = isAgentRef(ref) ? await findAgent(orgId, ref) : null;
  if (!target) throw notFound("Agent");
  return target;
}

/** A new generation as it will be stored; its row is written when the run settles. */
async function newGeneration(request: RunRequest, loaded: AgentWithProvider, caller: RunCaller): Promise<Generation> {
  const orgId = runOrg(caller).id;
  const actor = request.actorRef ? await findActorOfAgent(await getDb(), orgId, loaded.agent.id, request.actorRef) : null;
  const traceId = request.traceId ?? newPublicId("trace");
  const at = new Date();
  return {
    id: randomUUID(),
    publicId: newPublicId("generation"),
    orgId,
    agentId: loaded.agent.id,
    apiKeyId: caller.key?.id ?? null,
    actorId: actor?.id ?? null,
    status: "running",
    door: request.door,
    model: null,
    traceId,
    parentTraceId: request.parentTraceId ?? null,
    rootTraceId: request.rootTraceId ?? traceId,
    callDepth: request.callDepth ?? 0,
    maxCallDepth: Math.min(request.maxCallDepth ?? MAX_CALL_DEPTH, MAX_CALL_DEPTH),
    toolContext: request.toolContext ?? null,
    conversationId: request.conversationId ?? null,
    messages: request.messages,
    pendingToolCalls: null,
    stepsUsed: 0,
    text: null,
    inputTokens: 0,
    outputTokens: 0,
    error: null,
    createdAt: at,
    updatedAt: at,
  };
}

/** Agent-to-agent: a child generation in the same trace tree, one level deeper. */
const startChild = (parent: Generation, caller: RunCaller, agentRef: string, message: string) =>
  startGeneration(
    {
      door: "agent",
      agentRef,
      messages: [{ role: "user", content: message }],
      parentTraceId: parent.traceId,
      rootTraceId: parent.rootTraceId,
      maxCallDepth: parent.maxCallDepth,
      callDepth: parent.callDepth + 1,
      toolContext: parent.toolContext,
    },
    caller,
  );

/** A run over a stored generation (a resume): its row exists and is updated. */
export function resumeRun(generation: Generation, loaded: AgentWithProvider, caller: RunCaller): Run {
  return new Run(generation, loaded, caller, startChild, true);
}

/**
 * Prepares a run. Past the call-depth limit nothing runs: the generation is stored with a
 * depth-guard message, so agents calling agents cannot recurse without end.
 */
async function prepareRun(request: RunRequest, caller: RunCaller): Promise<Run | GenerationOutcome> {
  const loaded = await loadAgent(runOrg(caller).id, request.agentRef);
  // Every door checks this too; here it also covers the agents an agent calls with the same key.
  if (caller.key && !keyAllowsAgent(caller.key, loaded.agent.id))
    throw new ApiError("FORBIDDEN", "This API key is not allowed to use this agent");
  const generation = await newGeneration(request, loaded, caller);
  if (generation.callDepth >= generation.maxCallDepth) {
    const text = `Depth guard: the maximum agent call depth (${generation.maxCallDepth}) was reached, so this generation did not run.`;
    const [stored] = await (
      await getDb()
    )
      .insert(tables.generations)
      .values({ ...generation, status: "completed", text })
      .returning();
    return outcomeOf(stored!);
  }
  return new Run(generation, loaded, caller, startChild, false);
}

/** Runs an agent to the end, or to a pause (client tool, review), through any door. */
export async function startGeneration(request: RunRequest, caller: RunCaller): Promise<GenerationOutcome> {
  const prepared = await prepareRun(request, caller);
  return prepared instanceof Run ? prepared.complete() : prepared;
}

/** Streams a run; resolves once the first event is in, so early failures get a real status. */
export async function streamGeneration(request: RunRequest, caller: RunCaller): Promise<StartedStream> {
  const prepared = await prepareRun(request, caller);
  const rest: AsyncGenerator<GenerationEvent, void> =
    prepared instanceof Run
      ? prepared.stream()
      : (async function* () {
          yield { type: "done" as const, outcome: prepared };
        })();
  const first = await rest.next();
  if (first.done) throw new ApiError("UPSTREAM_ERROR", "The generation ended without any output");
  return { generationId: prepared instanceof Run ? prepared.generationId : prepared.id, rowId: prepared.rowId, first: first.value, rest };
}
