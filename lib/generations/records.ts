import { exchangeRows, type Exchange } from "@/lib/conversations";
import { getDb, oneStatement, tables, type Generation } from "@/lib/db";
import { BatchWriter } from "@/lib/runtime/batch-writer";
import { processSingleton } from "@/lib/runtime/singleton";
import type { StepRow } from "./recorder";

/**
 * What a run leaves behind once it is history: a new generation that ended in one run (with
 * the steps of its trace), and the exchange for the conversation record when the run ended.
 */
export interface RunRecord {
  generation: Generation | null;
  steps: StepRow[];
  exchange: Exchange | null;
}

interface QueuedRecord extends RunRecord {
  endedAt: Date;
}

/**
 * One statement per batch, whatever it holds: the statement, not the row, is what a write costs.
 * Every insert ignores rows already stored, so writing a failed batch again record by record is safe.
 */
async function write(batch: QueuedRecord[]): Promise<void> {
  const generations = batch.flatMap((record) => (record.generation ? [record.generation] : []));
  const steps = batch.flatMap((record) => record.steps);
  const exchanges = batch.flatMap((record) => (record.exchange ? [exchangeRows(record.exchange, record.endedAt)] : []));
  const conversations = exchanges.flatMap((rows) => (rows.conversation ? [rows.conversation] : []));
  const db = await getDb();
  const inserts = [
    generations.length > 0 ? db.insert(tables.generations).values(generations).onConflictDoNothing() : null,
    steps.length > 0 ? db.insert(tables.generationSteps).values(steps).onConflictDoNothing() : null,
    conversations.length > 0 ? db.insert(tables.conversations).values(conversations).onConflictDoNothing() : null,
    exchanges.length > 0
      ? db
          .insert(tables.messages)
          .values(exchanges.flatMap((rows) => rows.messages))
          .onConflictDoNothing()
      : null,
  ].filter((insert) => insert !== null);
  if (inserts.length > 0) await db.execute(oneStatement(inserts));
}

// Run records are written behind the reply, batched with others, and every read of
// generations or traces waits for the writes queued before it.
const writer = () => processSingleton("generations:writer", () => new BatchWriter("run record", write));

export function recordRun(record: RunRecord): void {
  writer().add({ ...record, endedAt: new Date() });
}

/** Stores every run record queued so far: before reads, and on shutdown. */
export function flushGenerationRecords(): Promise<void> {
  return writer().flush();
}
