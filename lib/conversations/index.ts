import { randomUUID } from "node:crypto";
import { getDb, tables } from "@/lib/db";
import { BatchWriter } from "@/lib/runtime/batch-writer";
import { processSingleton } from "@/lib/runtime/singleton";

export interface Exchange {
  orgId: string;
  agentId: string;
  apiKeyId: string | null;
  channel: string;
  /** The turn that prompted the reply (the last user message). */
  prompt: { role: "system" | "user" | "assistant"; content: string };
  reply: {
    id: string;
    content: string;
    model: string;
    inputTokens: number;
    outputTokens: number;
    latencyMs: number;
    status: "completed" | "failed" | "aborted";
  };
}

async function write(batch: Exchange[]): Promise<void> {
  const conversationRows = batch.map((exchange) => ({
    id: randomUUID(),
    orgId: exchange.orgId,
    agentId: exchange.agentId,
    apiKeyId: exchange.apiKeyId,
    channel: exchange.channel,
  }));
  const messageRows = batch.flatMap((exchange, i) => {
    const conversationId = conversationRows[i]!.id;
    return [
      { orgId: exchange.orgId, conversationId, role: exchange.prompt.role, content: exchange.prompt.content },
      { orgId: exchange.orgId, conversationId, role: "assistant" as const, ...exchange.reply },
    ];
  });
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.insert(tables.conversations).values(conversationRows);
    await tx.insert(tables.messages).values(messageRows);
  });
}

// Conversations and messages are written in batches, off the request path.
const writer = () => processSingleton("conversations:writer", () => new BatchWriter("conversation exchange", write));

/** Queues an exchange (prompt + reply with usage) for storage. */
export function recordExchange(exchange: Exchange): void {
  writer().add(exchange);
}

/** Stores everything queued; called on shutdown so no usage is lost. */
export function flushExchanges(): Promise<void> {
  return writer().flush();
}
