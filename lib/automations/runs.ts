import { and, desc, eq, inArray } from "drizzle-orm";
import type { AutomationRunResponse, AutomationRunSummary } from "@/lib/contracts";
import { newPublicId, tables, type Automation, type AutomationRun, type Db } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { enqueueJob, nudgeWorkers } from "@/lib/jobs";

const DEFAULT_LIST_LIMIT = 50;

/**
 * Stores a run of the published steps and queues it, in one transaction: once the caller hears
 * 202 the run exists and will run. A `webhookId` seen before on this automation queues nothing
 * and returns the first run (a repeated delivery).
 */
export async function queueRun(
  db: Db,
  automation: Automation,
  trigger: { payload: unknown; webhookId: string | null; rerunOfId?: string },
): Promise<{ run: AutomationRun; repeated: boolean }> {
  const steps = automation.publishedSteps;
  if (!steps) throw new ApiError("CONFLICT", "The automation is not published; publish it to run it");
  const queued = await db.transaction(async (tx) => {
    const [run] = await tx
      .insert(tables.automationRuns)
      .values({
        publicId: newPublicId("automationRun"),
        orgId: automation.orgId,
        automationId: automation.id,
        payload: trigger.payload,
        webhookId: trigger.webhookId,
        steps,
        rerunOfId: trigger.rerunOfId ?? null,
      })
      .onConflictDoNothing()
      .returning();
    if (run) await enqueueJob(tx, { kind: "automation.run", payload: { runId: run.id } });
    return run;
  });
  if (queued) {
    // The job became visible at commit: wake the worker rather than wait for its next poll.
    nudgeWorkers();
    return { run: queued, repeated: false };
  }
  const [first] = await db
    .select()
    .from(tables.automationRuns)
    .where(and(eq(tables.automationRuns.automationId, automation.id), eq(tables.automationRuns.webhookId, trigger.webhookId ?? "")))
    .limit(1);
  if (!first) throw new Error("A run conflicted on its webhook id, yet no run has that id");
  return { run: first, repeated: true };
}

/** An automation's runs, newest first. */
export async function listRuns(db: Db, automation: Automation, limit = DEFAULT_LIST_LIMIT): Promise<AutomationRun[]> {
  return db
    .select()
    .from(tables.automationRuns)
    .where(and(eq(tables.automationRuns.orgId, automation.orgId), eq(tables.automationRuns.automationId, automation.id)))
    .orderBy(desc(tables.automationRuns.createdAt), desc(tables.automationRuns.id))
    .limit(limit);
}

/** A run of the organisation by its public id, with its automation's public id. */
export async function getRun(db: Db, orgId: string, publicId: string): Promise<{ run: AutomationRun; automation: Automation }> {
  const [row] = await db
    .select({ run: tables.automationRuns, automation: tables.automations })
    .from(tables.automationRuns)
    .innerJoin(tables.automations, eq(tables.automations.id, tables.automationRuns.automationId))
    .where(and(eq(tables.automationRuns.orgId, orgId), eq(tables.automationRuns.publicId, publicId)))
    .limit(1);
  if (!row) throw notFound("Automation run");
  return row;
}

/** Runs the same payload again as a new run, through the automation's current published steps. */
export async function rerun(db: Db, orgId: string, publicId: string): Promise<AutomationRun> {
  const { run, automation } = await getRun(db, orgId, publicId);
  const { run: fresh } = await queueRun(db, automation, { payload: run.payload, webhookId: null, rerunOfId: run.id });
  return fresh;
}

/** Public ids of runs repeated by others, for summaries. */
async function rerunSources(db: Db, runs: AutomationRun[]): Promise<Map<string, string>> {
  const ids = [...new Set(runs.map((run) => run.rerunOfId).filter((id): id is string => id !== null))];
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: tables.automationRuns.id, publicId: tables.automationRuns.publicId })
    .from(tables.automationRuns)
    .where(inArray(tables.automationRuns.id, ids));
  return new Map(rows.map((row) => [row.id, row.publicId]));
}

function summary(run: AutomationRun, automationPublicId: string, sources: Map<string, string>): AutomationRunSummary {
  return {
    id: run.publicId,
    automation_id: automationPublicId,
    status: run.status,
    error: run.error,
    rerun_of: run.rerunOfId ? (sources.get(run.rerunOfId) ?? null) : null,
    created_at: run.createdAt.toISOString(),
    updated_at: run.updatedAt.toISOString(),
    finished_at: run.finishedAt?.toISOString() ?? null,
  };
}

export async function serializeRunSummaries(db: Db, runs: AutomationRun[], automationPublicId: string): Promise<AutomationRunSummary[]> {
  const sources = await rerunSources(db, runs);
  return runs.map((run) => summary(run, automationPublicId, sources));
}

export async function serializeRun(db: Db, run: AutomationRun, automation: Automation): Promise<AutomationRunResponse> {
  return {
    ...summary(run, automation.publicId, await rerunSources(db, [run])),
    payload: run.payload,
    webhook_id: run.webhookId,
    steps: run.results.map((result) => ({
      id: result.id,
      type: result.type,
      status: result.status,
      input: result.input,
      output: result.output,
      warnings: result.warnings,
      error: result.error,
      attempts: result.attempts,
      duration_ms: result.durationMs,
      started_at: result.startedAt,
      finished_at: result.finishedAt,
    })),
  };
}
