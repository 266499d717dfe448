import { and, asc, desc, eq, gte, inArray, lte, type SQL } from "drizzle-orm";
import { getDb, tables, UUID_PATTERN, type Generation, type GenerationStep } from "@/lib/db";
import { notFound } from "@/lib/errors";
import type { TraceGeneration, TraceResponse, TraceStep, TraceSummaryResponse } from "@/lib/contracts";
import { flushGenerationRecords } from "./records";

export interface TraceFilter {
  agentId?: string;
  traceId?: string;
  since?: Date;
  until?: Date;
  limit: number;
}

/** Newest generations first, each as the summary of its trace. */
export async function listTraces(orgId: string, filter: TraceFilter): Promise<TraceSummaryResponse[]> {
  await flushGenerationRecords();
  const db = await getDb();
  const conditions: SQL[] = [eq(tables.generations.orgId, orgId)];
  // Agents are addressed by UUID or public id everywhere, filters included.
  if (filter.agentId) {
    conditions.push(UUID_PATTERN.test(filter.agentId) ? eq(tables.agents.id, filter.agentId) : eq(tables.agents.publicId, filter.agentId));
  }
  if (filter.traceId) conditions.push(eq(tables.generations.traceId, filter.traceId));
  if (filter.since) conditions.push(gte(tables.generations.createdAt, filter.since));
  if (filter.until) conditions.push(lte(tables.generations.createdAt, filter.until));
  const rows = await db
    .select({ generation: tables.generations, agentPublicId: tables.agents.publicId })
    .from(tables.generations)
    .innerJoin(tables.agents, eq(tables.agents.id, tables.generations.agentId))
    .where(and(...conditions))
    .orderBy(desc(tables.generations.createdAt))
    .limit(filter.limit);
  return rows.map(({ generation, agentPublicId }) => ({
    trace_id: generation.traceId,
    root_trace_id: generation.rootTraceId,
    parent_trace_id: generation.parentTraceId,
    agent_id: agentPublicId,
    generation_id: generation.publicId,
    door: generation.door,
    status: generation.status,
    created_at: generation.createdAt.toISOString(),
  }));
}

function serializeStep(step: GenerationStep): TraceStep {
  return {
    type: step.kind,
    name: step.name,
    tool_call_id: step.toolCallId,
    args: step.input,
    result: step.output,
    error: step.error,
    input_tokens: step.inputTokens,
    output_tokens: step.outputTokens,
    started_at: step.startedAt.toISOString(),
    duration_ms: step.durationMs,
  };
}

/** Map.groupBy arrived in Node 21; Conduit runs on Node 20. */
function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** A trace with its generations and their steps, and the traces it started (agent-to-agent), as a tree. */
export async function getTrace(orgId: string, traceId: string): Promise<TraceResponse> {
  await flushGenerationRecords();
  const db = await getDb();
  const [anchor] = await db
    .select({ rootTraceId: tables.generations.rootTraceId })
    .from(tables.generations)
    .where(and(eq(tables.generations.orgId, orgId), eq(tables.generations.traceId, traceId)))
    .limit(1);
  if (!anchor) throw notFound("Trace");
  // Everything under the same root, fetched once, then assembled below the requested trace.
  const rows = await db
    .select({ generation: tables.generations, agentPublicId: tables.agents.publicId, actorPublicId: tables.actors.publicId })
    .from(tables.generations)
    .innerJoin(tables.agents, eq(tables.agents.id, tables.generations.agentId))
    .leftJoin(tables.actors, eq(tables.actors.id, tables.generations.actorId))
    .where(and(eq(tables.generations.orgId, orgId), eq(tables.generations.rootTraceId, anchor.rootTraceId)))
    .orderBy(asc(tables.generations.createdAt));
  const steps = await db
    .select()
    .from(tables.generationSteps)
    .where(
      inArray(
        tables.generationSteps.generationId,
        rows.map((row) => row.generation.id),
      ),
    )
    .orderBy(asc(tables.generationSteps.sequence));
  const stepsByGeneration = groupBy(steps, (step) => step.generationId);
  const byTrace = groupBy(rows, (row) => row.generation.traceId);

  const serializeGeneration = (generation: Generation, agentPublicId: string, actorPublicId: string | null): TraceGeneration => ({
    id: generation.publicId,
    agent_id: agentPublicId,
    actor_id: actorPublicId,
    door: generation.door,
    model: generation.model,
    status: generation.status,
    created_at: generation.createdAt.toISOString(),
    updated_at: generation.updatedAt.toISOString(),
    usage: {
      input_tokens: generation.inputTokens,
      output_tokens: generation.outputTokens,
      total_tokens: generation.inputTokens + generation.outputTokens,
    },
    error: generation.error,
    steps: (stepsByGeneration.get(generation.id) ?? []).map(serializeStep),
  });

  const build = (id: string, seen: Set<string>): TraceResponse => {
    seen.add(id);
    const own = byTrace.get(id) ?? [];
    const first = own[0]!.generation;
    const childIds = [...new Set(rows.filter((row) => row.generation.parentTraceId === id).map((row) => row.generation.traceId))];
    return {
      trace_id: id,
      root_trace_id: first.rootTraceId,
      parent_trace_id: first.parentTraceId,
      generations: own.map((row) => serializeGeneration(row.generation, row.agentPublicId, row.actorPublicId)),
      children: childIds.filter((child) => !seen.has(child)).map((child) => build(child, seen)),
    };
  };
  return build(traceId, new Set());
}
