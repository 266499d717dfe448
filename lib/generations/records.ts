import { getDb, tables, type Generation } from "@/lib/db";
import { BatchWriter } from "@/lib/runtime/batch-writer";
import { processSingleton } from "@/lib/runtime/singleton";
import type { StepRow } from "./recorder";

/** A new generation that ended (completed or failed) in one run, with the steps of its trace. */
interface SettledGeneration {
  generation: Generation;
  steps: StepRow[];
}

async function write(batch: SettledGeneration[]): Promise<void> {
  const steps = batch.flatMap((record) => record.steps);
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.insert(tables.generations).values(batch.map((record) => record.generation));
    if (steps.length > 0) await tx.insert(tables.generationSteps).values(steps);
  });
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
