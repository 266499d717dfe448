import { randomUUID } from "node:crypto";
import type { tables } from "@/lib/db";

export interface Exchange {
  orgId: string;
  agentId: string;
  apiKeyId: string | null;
  channel: string;
  /** An existing conversation that already holds the prompt: only the reply is added to it. */
  conversationId: string | null;
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

export interface ExchangeRows {
  conversation: typeof tables.conversations.$inferInsert | null;
  messages: Array<typeof tables.messages.$inferInsert>;
}

/**
 * An exchange as the rows of the conversation record: a conversation with the prompt and the
 * reply, or the reply alone for a conversation that exists. Whoever stores a run writes them with
 * its other records, in one statement.
 */
export function exchangeRows(exchange: Exchange, at: Date): ExchangeRows {
  if (exchange.conversationId) {
    return {
      conversation: null,
      messages: [{ orgId: exchange.orgId, conversationId: exchange.conversationId, role: "assistant", createdAt: at, ...exchange.reply }],
    };
  }
  // Named after its first reply: a door knows the conversation's id as soon as the run ends, and
  // writing the same exchange twice (a retried batch) cannot start a second conversation.
  const conversationId = exchange.reply.id;
  return {
    conversation: {
      id: conversationId,
      // When the run ended, not when its batch was written: exchanges written together would
      // otherwise share one timestamp and list in no particular order.
      createdAt: at,
      orgId: exchange.orgId,
      agentId: exchange.agentId,
      apiKeyId: exchange.apiKeyId,
      channel: exchange.channel,
    },
    messages: [
      // An id of its own now, so the message.created event can name the row it announces.
      { id: randomUUID(), orgId: exchange.orgId, conversationId, role: exchange.prompt.role, content: exchange.prompt.content },
      { orgId: exchange.orgId, conversationId, role: "assistant", ...exchange.reply },
    ],
  };
}
