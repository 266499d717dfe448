import { sql } from "drizzle-orm";
import { getDb, tables, type GenerationStepKind } from "@/lib/db";

export type StepRow = typeof tables.generationSteps.$inferInsert;

export interface RecordedStep {
  kind: GenerationStepKind;
  name: string;
  toolCallId?: string | null;
  input?: unknown;
  output?: unknown;
  error?: string | null;
  inputTokens?: number | null;
  outputTokens?: number | null;
  startedAt: Date;
  durationMs: number;
}

/**
 * Collects a generation's steps (knowledge retrieval, model calls and tool calls) while it runs and stores them
 * in one insert when the run ends or pauses: the trace of the generation.
 */
export class StepRecorder {
  private readonly steps: RecordedStep[] = [];
  private stepStartedAt = performance.now();
  private toolMsInStep = 0;
  /** Where the current model step belongs: before the tool calls it asked for. */
  private stepIndex = 0;

  /** @param resumed whether the generation already has stored steps (a new one starts at 0). */
  constructor(
    private readonly orgId: string,
    private readonly generationId: string,
    private resumed: boolean,
  ) {}

  /** Times one tool call and records its arguments, result or error. */
  async tool<T>(name: string, toolCallId: string, input: unknown, run: () => Promise<T>): Promise<T> {
    const startedAt = new Date();
    const t0 = performance.now();
    const finish = (output: unknown, error: string | null) => {
      const durationMs = performance.now() - t0;
      this.toolMsInStep += durationMs;
      this.steps.push({ kind: "tool", name, toolCallId, input, output, error, startedAt, durationMs });
    };
    try {
      const output = await run();
      finish(output, null);
      return output;
    } catch (error) {
      finish(null, error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  /** The knowledge retrieved before the first model call, whose latency it does not count in. */
  retrieval(name: string, input: unknown, output: unknown, startedAt: Date, durationMs: number): void {
    this.steps.push({ kind: "retrieval", name, input, output, startedAt, durationMs });
    this.stepIndex = this.steps.length;
    this.stepStartedAt = performance.now();
  }

  /** A model call just finished: its latency is the step's time minus the tools run in it. */
  modelStep(name: string, usage: { inputTokens?: number; outputTokens?: number }, error: string | null = null): void {
    const now = performance.now();
    const durationMs = Math.max(0, now - this.stepStartedAt - this.toolMsInStep);
    this.steps.splice(this.stepIndex, 0, {
      kind: "model",
      name,
      inputTokens: usage.inputTokens ?? null,
      outputTokens: usage.outputTokens ?? null,
      error,
      startedAt: new Date(Date.now() - (now - this.stepStartedAt)),
      durationMs,
    });
    this.stepStartedAt = now;
    this.toolMsInStep = 0;
    this.stepIndex = this.steps.length;
  }

  /** Records a client tool's output, which arrived from the caller while the run was paused. */
  clientOutput(name: string, toolCallId: string, output: unknown, pausedSince: Date): void {
    this.steps.push({
      kind: "tool",
      name,
      toolCallId,
      output,
      startedAt: pausedSince,
      durationMs: Date.now() - pausedSince.getTime(),
    });
    this.stepIndex = this.steps.length;
  }

  /** The steps recorded so far as rows numbered from `first`, handed over (the recorder forgets them). */
  take(first = 0): StepRow[] {
    return this.steps.splice(0).map((step, i) => ({
      orgId: this.orgId,
      generationId: this.generationId,
      sequence: first + i,
      kind: step.kind,
      name: step.name,
      toolCallId: step.toolCallId ?? null,
      input: step.input ?? null,
      output: step.output ?? null,
      error: step.error ?? null,
      inputTokens: step.inputTokens ?? null,
      outputTokens: step.outputTokens ?? null,
      startedAt: step.startedAt,
      durationMs: Math.round(step.durationMs),
    }));
  }

  /** Stores the steps recorded so far, after those stored before (a resumed run appends). */
  async flush(): Promise<void> {
    if (this.steps.length === 0) return;
    const db = await getDb();
    const [{ next } = { next: 0 }] = this.resumed
      ? await db
          .select({ next: sql<number>`coalesce(max(${tables.generationSteps.sequence}) + 1, 0)::int` })
          .from(tables.generationSteps)
          .where(sql`${tables.generationSteps.generationId} = ${this.generationId}`)
      : [];
    this.resumed = true;
    await db.insert(tables.generationSteps).values(this.take(next));
  }
}
