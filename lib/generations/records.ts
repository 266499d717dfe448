import { getDb, tables, type Generation } from "@/lib/db";
import { BatchWriter } from "@/lib/runtime/batch-writer";
import { processSingleton } from "@/lib/runtime/singleton";
import type { StepRow } from "./recorder";

/** A new generation that ended (completed or failed) in one run, with the steps of its trace. */
interface SettledGeneration {
  generation: Generation;
  steps: StepRow[];
}

/**
 * Two statements and no transaction (the hot path pays for every statement): steps follow the
 * generations they belong to, and both inserts ignore rows already stored, so writing a failed
 * batch again record by record is safe.
 */
async function write(batch: SettledGeneration[]): Promise<void> {
  const steps = batch.flatMap((record) => record.steps);
  const db = await getDb();
  await db
    .insert(tables.generations)
    .values(batch.map((record) => record.generation))
    .onConflictDoNothing();
  if (steps.length > 0) await db.insert(tables.generationSteps).values(steps).onConflictDoNothing();
}

// A generation that ended in one run is history: it is written behind the reply, batched with
// others, and every read of generations or traces waits for the writes queued before it.
const writer = () => processSingleton("generations:writer", () => new BatchWriter("generation", write));

export function recordSettledGeneration(record: SettledGeneration): void {
  writer().add(record);
}

/** Stores every settled generation queued so far: before reads, and on shutdown. */
export function flushGenerationRecords(): Promise<void> {
  return writer().flush();
}
