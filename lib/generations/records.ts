import { agentPublicId } from "@/lib/agents";
import { exchangeRows, type Exchange, type ExchangeRows } from "@/lib/conversations";
import { getDb, insertRowsAsJson, oneStatement, tables, type Db, type Generation } from "@/lib/db";
import { publishEvent } from "@/lib/events";
import { BatchWriter } from "@/lib/runtime/batch-writer";
import { processSingleton } from "@/lib/runtime/singleton";
import { publishRunEnded } from "./events";
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
  const stored = batch.flatMap((record) =>
    record.exchange
      ? [{ orgId: record.exchange.orgId, agentId: record.exchange.agentId, rows: exchangeRows(record.exchange, record.endedAt) }]
      : [],
  );
  const exchanges = stored.map(({ rows }) => rows);
  const conversations = exchanges.flatMap((rows) => (rows.conversation ? [rows.conversation] : []));
  const db = await getDb();
  const inserts = [
    ...insertRowsAsJson(tables.generations, generations),
    ...insertRowsAsJson(tables.generationSteps, steps),
    ...insertRowsAsJson(tables.conversations, conversations),
    ...insertRowsAsJson(
      tables.messages,
      exchanges.flatMap((rows) => rows.messages),
    ),
  ];
  if (inserts.length > 0) await db.execute(oneStatement(inserts));
  await publishRunEvents(db, generations, stored).catch((error: unknown) =>
    console.error(`[events] could not queue run events: ${error instanceof Error ? error.message : String(error)}`),
  );
}

/**
 * The organisation's events for what a batch stored: runs that ended, conversations started,
 * messages added. Behind the reply like the records themselves, so no chat waits on them.
 */
async function publishRunEvents(
  db: Db,
  generations: Generation[],
  exchanges: Array<{ orgId: string; agentId: string; rows: ExchangeRows }>,
): Promise<void> {
  for (const generation of generations) await publishRunEnded(db, generation);
  for (const { orgId, agentId, rows } of exchanges) {
    const { conversation, messages } = rows;
    const agent = await agentPublicId(db, orgId, agentId);
    if (conversation?.id) {
      await publishEvent(db, {
        orgId: conversation.orgId,
        type: "conversation.created",
        data: {
          conversation_id: conversation.id,
          agent_id: agent,
          channel: conversation.channel,
          created_at: (conversation.createdAt ?? new Date()).toISOString(),
        },
      });
    }
    for (const message of messages) {
      if (!message.id) continue;
      await publishEvent(db, {
        orgId: message.orgId,
        type: "message.created",
        data: {
          message_id: message.id,
          conversation_id: message.conversationId,
          agent_id: agent,
          role: message.role,
          content: message.content,
          status: message.status ?? "completed",
          created_at: (message.createdAt ?? new Date()).toISOString(),
        },
      });
    }
  }
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
