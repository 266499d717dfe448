import { randomUUID } from "node:crypto";
import { getDb, tables } from "@/lib/db";
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

const FLUSH_INTERVAL_MS = 50;
const MAX_BATCH = 500;

/**
 * Writes conversations and messages in batches, off the request path: one multi-row insert
 * per table every few milliseconds instead of several round trips per request.
 */
class ExchangeWriter {
  private pending: Exchange[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  add(exchange: Exchange): void {
    this.pending.push(exchange);
    if (this.pending.length >= MAX_BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
  }

  /** Writes everything queued so far; resolves once it is stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(() => (batch.length > 0 ? write(batch) : undefined));
    return this.flushing;
  }
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
  try {
    const db = await getDb();
    await db.transaction(async (tx) => {
      await tx.insert(tables.conversations).values(conversationRows);
      await tx.insert(tables.messages).values(messageRows);
    });
  } catch (error) {
    console.error(`[conduit] could not record ${batch.length} exchange(s):`, error);
  }
}

const writer = () => processSingleton("conversations:writer", () => new ExchangeWriter());

/** Queues an exchange (prompt + reply with usage) for storage. */
export function recordExchange(exchange: Exchange): void {
  writer().add(exchange);
}

/** Stores everything queued; called on shutdown so no usage is lost. */
export function flushExchanges(): Promise<void> {
  return writer().flush();
}
