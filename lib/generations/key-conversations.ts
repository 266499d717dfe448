import { and, eq } from "drizzle-orm";
import { tables, type Agent, type Db } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { publishEventLater } from "@/lib/events";
import type { ResolvedKey } from "@/lib/keys";
import { recentTurns } from "./conversations";
import { flushGenerationRecords } from "./records";
import type { ChatTurn, Door } from "./types";

/** How much of a continued conversation a run sees, as on the messaging channels. */
const HISTORY_TURNS = 30;

/**
 * The conversation a key's run continues on a programmatic door (MCP, A2A): one this key started
 * with this agent through the same door. The prompt joins its record before the run, as on the
 * messaging channels, and the latest turns are the run's messages. Other keys' conversations look
 * exactly like missing ones.
 */
async function continueKeyConversation(
  db: Db,
  key: ResolvedKey,
  agent: Agent,
  door: Door,
  conversationId: string,
  prompt: string,
): Promise<ChatTurn[]> {
  const c = tables.conversations;
  const find = async () =>
    (
      await db
        .select({ id: c.id })
        .from(c)
        .where(and(eq(c.id, conversationId), eq(c.orgId, key.orgId), eq(c.agentId, agent.id), eq(c.apiKeyId, key.id), eq(c.channel, door)))
        .limit(1)
    ).at(0);
  // A conversation is written behind its first reply: a client continuing at once may come first.
  const conversation = (await find()) ?? (await flushGenerationRecords().then(find));
  if (!conversation) throw notFound("Conversation");
  const [stored] = await db
    .insert(tables.messages)
    .values({ orgId: key.orgId, conversationId, role: "user", content: prompt })
    .returning({ id: tables.messages.id, createdAt: tables.messages.createdAt });
  publishEventLater(db, {
    orgId: key.orgId,
    type: "message.created",
    data: {
      message_id: stored!.id,
      conversation_id: conversationId,
      agent_id: agent.publicId,
      role: "user",
      content: prompt,
      status: "completed",
      created_at: stored!.createdAt.toISOString(),
    },
  });
  return recentTurns(db, conversationId, { upToMessageId: stored!.id, limit: HISTORY_TURNS });
}

/** The messages of a key's run: a new conversation's prompt alone, or the continued conversation's turns. */
export const keyConversationTurns = (
  db: Db,
  key: ResolvedKey,
  agent: Agent,
  door: Door,
  conversationId: string | undefined,
  prompt: string,
): Promise<ChatTurn[]> =>
  conversationId
    ? continueKeyConversation(db, key, agent, door, conversationId, prompt)
    : Promise.resolve([{ role: "user", content: prompt }]);
