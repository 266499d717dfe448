/**
 * Runs an automation run's steps from the durable queue. Each finished step is stored before the
 * next starts, so a retried job (a failed step, a worker that died) carries on at the step that
 * did not finish; steps before it never run twice. Delays reschedule the run as a new job rather
 * than hold a worker.
 */
import { and, eq, inArray } from "drizzle-orm";
import { getDb, tables, type Automation, type AutomationRun, type AutomationRunStatus, type AutomationStepRecord, type Db } from "@/lib/db";
import type { ResumedRun } from "@/lib/generations";
import { enqueueJob, nudgeWorkers, PermanentJobError, type JobHandler } from "@/lib/jobs";
import { publishEvent } from "@/lib/events";
import { backgroundRefusal, loadApiKeyById } from "@/lib/keys";
import { getOrganisation } from "@/lib/orgs/settings";
import { now } from "@/lib/runtime/clock";
import { agentOutput, runStep, StepFailure, type StepPayer, type StepResult } from "./steps";
import type { TemplateScope } from "./templates";

const FINISHED: AutomationRunStatus[] = ["succeeded", "failed"];

async function loadRun(db: Db, runId: string): Promise<{ run: AutomationRun; automation: Automation } | null> {
  const [row] = await db
    .select({ run: tables.automationRuns, automation: tables.automations })
    .from(tables.automationRuns)
    .innerJoin(tables.automations, eq(tables.automations.id, tables.automationRuns.automationId))
    .where(eq(tables.automationRuns.id, runId))
    .limit(1);
  return row ?? null;
}

/** Stores a run's progress, unless it finished meanwhile (a late writer never reopens a finished run). */
async function saveProgress(db: Db, runId: string, changes: Partial<typeof tables.automationRuns.$inferInsert>): Promise<void> {
  await db
    .update(tables.automationRuns)
    .set({ ...changes, updatedAt: new Date() })
    .where(and(eq(tables.automationRuns.id, runId), inArray(tables.automationRuns.status, ["queued", "running", "waiting"])));
}

/**
 * Where every run ends, succeeded or failed: the run is settled and the organisation's event
 * subscribers told in one transaction, once, whichever worker gets there.
 */
async function runFinished(
  db: Db,
  run: AutomationRun,
  automation: Pick<Automation, "publicId">,
  outcome: { status: "succeeded" } | { status: "failed"; error: string },
): Promise<void> {
  const finishedAt = new Date();
  await db.transaction(async (tx) => {
    const [finished] = await tx
      .update(tables.automationRuns)
      .set({
        status: outcome.status,
        error: outcome.status === "failed" ? outcome.error : null,
        waitingGenerationId: null,
        finishedAt,
        updatedAt: finishedAt,
      })
      .where(and(eq(tables.automationRuns.id, run.id), inArray(tables.automationRuns.status, ["queued", "running", "waiting"])))
      .returning({ id: tables.automationRuns.id });
    // Another worker finished it first, and told the subscribers.
    if (!finished) return;
    const ids = { automation_id: automation.publicId, run_id: run.publicId };
    await (outcome.status === "succeeded"
      ? publishEvent(tx, {
          orgId: run.orgId,
          type: "automation.run.completed",
          data: { ...ids, started_at: run.createdAt.toISOString(), finished_at: finishedAt.toISOString() },
        })
      : publishEvent(tx, { orgId: run.orgId, type: "automation.run.failed", data: { ...ids, error: outcome.error } }));
  });
}

/** What templates see: the trigger's body and the outputs of the steps that succeeded so far. */
function scopeOf(run: AutomationRun, results: AutomationStepRecord[]): TemplateScope {
  const steps: TemplateScope["steps"] = {};
  for (const result of results) if (result.status === "succeeded") steps[result.id] = { output: result.output };
  return { trigger: { body: run.payload }, steps };
}

/** Replaces the record of a step (a retry's attempt replaces the failed one) or appends it. */
function withRecord(results: AutomationStepRecord[], record: AutomationStepRecord): AutomationStepRecord[] {
  const index = results.findIndex((result) => result.id === record.id);
  return index < 0 ? [...results, record] : results.map((result, i) => (i === index ? record : result));
}

/**
 * Who pays for agent steps: the automation's key (budget reserved before each model call, within
 * the organisation's plan), or without one the organisation's plan alone. A key that can no
 * longer pay (revoked, expired) fails the run rather than letting the organisation pay instead.
 */
async function payerOf(db: Db, automation: Automation): Promise<StepPayer> {
  if (!automation.apiKeyId) return { key: null, org: await getOrganisation(db, automation.orgId) };
  const key = await loadApiKeyById(automation.apiKeyId);
  if (!key) throw new StepFailure("KEY_REVOKED: The API key that pays for this automation no longer exists", { permanent: true });
  const refusal = backgroundRefusal(key, now());
  if (refusal) throw new StepFailure(`${refusal.code}: ${refusal.message}`, { permanent: true });
  return { key };
}

const elapsedSince = (startedAt: number) => Math.round(performance.now() - startedAt);

/** Runs steps from the run's next one until it ends, waits, or a step fails (which throws, for the queue to retry). */
async function advance(db: Db, run: AutomationRun, automation: Automation): Promise<void> {
  let results = run.results;
  let index = run.nextStep;
  await saveProgress(db, run.id, { status: "running" });
  while (index < run.steps.length) {
    const step = run.steps[index]!;
    const previous = results.find((result) => result.id === step.id);
    const startedAt = new Date();
    const clock = performance.now();
    const attempts = (previous?.status === "failed" ? previous.attempts : 0) + 1;
    const record = (result: Pick<AutomationStepRecord, "status" | "input" | "output" | "warnings" | "error">): AutomationStepRecord => ({
      id: step.id,
      type: step.type,
      ...result,
      attempts,
      durationMs: elapsedSince(clock),
      startedAt: startedAt.toISOString(),
      finishedAt: result.status === "waiting" ? null : new Date().toISOString(),
    });

    let result: StepResult;
    try {
      result = await runStep(step, scopeOf(run, results), () => payerOf(db, automation));
    } catch (error) {
      const failure = error instanceof StepFailure ? error : null;
      const message = error instanceof Error ? error.message : String(error);
      results = withRecord(
        results,
        record({
          status: "failed",
          input: failure?.options.input ?? null,
          output: failure?.options.output ?? null,
          warnings: failure?.options.warnings ?? [],
          error: message,
        }),
      );
      await saveProgress(db, run.id, { results });
      throw failure?.options.permanent ? new PermanentJobError(message, { cause: error }) : error;
    }

    const { outcome } = result;
    const done = record({
      status: outcome.next === "review" ? "waiting" : "succeeded",
      input: result.input,
      output: result.output,
      warnings: result.warnings,
      error: null,
    });
    results = withRecord(results, done);
    if (outcome.next === "review") {
      await saveProgress(db, run.id, { results, status: "waiting", waitingGenerationId: outcome.generationId });
      return;
    }
    if (outcome.next === "stop") {
      await saveProgress(db, run.id, { results, nextStep: run.steps.length });
      break;
    }
    if (outcome.next === "jump") {
      const target = run.steps.findIndex((candidate) => candidate.id === outcome.to);
      for (const skipped of run.steps.slice(index + 1, target)) {
        results = withRecord(results, {
          ...record({ status: "skipped", input: null, output: null, warnings: [], error: null }),
          id: skipped.id,
          type: skipped.type,
          attempts: 0,
          durationMs: 0,
        });
      }
      index = target;
      await saveProgress(db, run.id, { results, nextStep: index });
      continue;
    }
    index++;
    if (outcome.next === "delay") {
      // The wait is a job due later: the run holds no worker meanwhile and survives restarts.
      await db.transaction(async (tx) => {
        await saveProgress(tx, run.id, { results, nextStep: index, status: "waiting" });
        await enqueueJob(tx, { kind: "automation.run", payload: { runId: run.id }, runAt: outcome.until });
      });
      return;
    }
    await saveProgress(db, run.id, { results, nextStep: index });
  }
  await runFinished(db, { ...run, results }, automation, { status: "succeeded" });
}

/** Runs an automation run from its next step; a failing step is retried with the queue's backoff, then fails the run. */
export const automationRunHandler: JobHandler<"automation.run"> = {
  async run({ runId }) {
    const db = await getDb();
    const loaded = await loadRun(db, runId);
    if (!loaded || FINISHED.includes(loaded.run.status)) return;
    // Paused on a review: the reviewers' decision resumes it (see continueAfterReview).
    if (loaded.run.waitingGenerationId) return;
    await advance(db, loaded.run, loaded.automation);
  },
  async giveUp({ runId }, job, lastError) {
    const db = await getDb();
    const loaded = await loadRun(db, runId);
    if (!loaded || FINISHED.includes(loaded.run.status)) return;
    const step = loaded.run.steps[loaded.run.nextStep];
    const where = step ? `Step "${step.id}" failed after ${job.attempts} attempt(s)` : "The run failed";
    await runFinished(db, loaded.run, loaded.automation, { status: "failed", error: `${where}: ${lastError}` });
  },
};

/**
 * An agent step's run that paused for review ended: its answer becomes the step's output and the
 * run carries on from the next step (through the queue), or the step and the run fail.
 */
export async function continueAfterReview(resumed: ResumedRun): Promise<void> {
  const db = await getDb();
  const [waiting] = await db
    .select({ id: tables.automationRuns.id })
    .from(tables.automationRuns)
    .where(and(eq(tables.automationRuns.waitingGenerationId, resumed.generation.id), eq(tables.automationRuns.status, "waiting")))
    .limit(1);
  const loaded = waiting ? await loadRun(db, waiting.id) : null;
  if (!loaded) return;
  const { run } = loaded;
  const step = run.steps[run.nextStep];
  const previous = step && run.results.find((result) => result.id === step.id);
  if (!step || !previous) return;
  const finished = (changes: Pick<AutomationStepRecord, "status" | "output" | "error">) =>
    withRecord(run.results, {
      ...previous,
      ...changes,
      durationMs: Date.now() - new Date(previous.startedAt).getTime(),
      finishedAt: new Date().toISOString(),
    });
  if ("error" in resumed) {
    const error = `${resumed.error.code}: ${resumed.error.message}`;
    await saveProgress(db, run.id, { results: finished({ status: "failed", output: previous.output, error }) });
    await runFinished(db, run, loaded.automation, { status: "failed", error: `Step "${step.id}" failed: ${error}` });
    return;
  }
  // Reviewed again (another gated call): the run keeps waiting on the same generation.
  if (resumed.outcome.status === "requires_action") return;
  await db.transaction(async (tx) => {
    await saveProgress(tx, run.id, {
      results: finished({ status: "succeeded", output: agentOutput(resumed.outcome), error: null }),
      nextStep: run.nextStep + 1,
      status: "queued",
      waitingGenerationId: null,
    });
    await enqueueJob(tx, { kind: "automation.run", payload: { runId: run.id } });
  });
  nudgeWorkers();
}
