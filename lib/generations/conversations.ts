import { and, asc, desc, eq, gte, inArray, lt, lte, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { DOORS } from "@/lib/contracts/doors";
import { tables, UUID_PATTERN, type Db } from "@/lib/db";
import { flushGenerationRecords } from "./records";

/** The doors a conversation can come through (its `channel`), for the search form. */
export { DOORS };

const PAGE_SIZE = 50;
const PREVIEW_CHARS = 200;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .transform((value) => new Date(`${value}T00:00:00Z`))
  .refine((date) => !Number.isNaN(date.getTime()));

/** A value the query string may carry; anything malformed means "no filter", so a stale link still shows a page. */
const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

/** The conversations search as the query string carries it: agent, door, date range (UTC days), text, page cursor. */
export const ConversationSearch = z.object({
  agent: lenient(z.string().regex(UUID_PATTERN)),
  door: lenient(z.enum(DOORS)),
  from: lenient(day),
  to: lenient(day),
  q: lenient(z.string().trim().min(1).max(200)),
  /** Older than this conversation (next page) or newer (previous page). */
  after: lenient(z.string().regex(UUID_PATTERN)),
  before: lenient(z.string().regex(UUID_PATTERN)),
});
export type ConversationSearch = z.output<typeof ConversationSearch>;

export function parseConversationSearch(params: Record<string, string | string[] | undefined>): ConversationSearch {
  const first = Object.fromEntries(Object.entries(params).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]));
  return ConversationSearch.parse(first);
}

export interface ConversationSummary {
  id: string;
  createdAt: Date;
  agent: { id: string; label: string };
  door: string;
  key: string | null;
  /** The start of the turn that prompted the reply. */
  prompt: string;
  status: "completed" | "failed" | "aborted" | null;
  tokens: number;
}

export interface ConversationPage {
  items: ConversationSummary[];
  /** Cursors for the neighbouring pages, null at either end. */
  newer: string | null;
  older: string | null;
}

/** `%`, `_` and `\` in a search mean themselves, not LIKE wildcards. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, "\\$&")}%`;

/**
 * One page of an organisation's conversations, newest first, filtered by agent, door, UTC date
 * range and text in any of their messages. Pages are keyset cursors on (created_at, id), so a
 * deep page costs what the first does.
 */
export async function searchConversations(db: Db, orgId: string, search: ConversationSearch): Promise<ConversationPage> {
  await flushGenerationRecords();
  const c = tables.conversations;
  const conditions: SQL[] = [eq(c.orgId, orgId)];
  if (search.agent) conditions.push(eq(c.agentId, search.agent));
  if (search.door) conditions.push(eq(c.channel, search.door));
  if (search.from) conditions.push(gte(c.createdAt, search.from));
  if (search.to) conditions.push(lt(c.createdAt, new Date(search.to.getTime() + 86_400_000)));
  if (search.q) {
    conditions.push(sql`exists (select 1 from messages m where m.conversation_id = ${c.id} and m.content ilike ${containing(search.q)})`);
  }
  const backwards = Boolean(search.before && !search.after);
  const cursor = search.after ?? search.before;
  if (cursor) {
    const anchor = sql`(select created_at, id from conversations where id = ${cursor}::uuid and org_id = ${orgId}::uuid)`;
    conditions.push(backwards ? sql`(${c.createdAt}, ${c.id}) > ${anchor}` : sql`(${c.createdAt}, ${c.id}) < ${anchor}`);
  }
  // The page is found on conversations alone (an index range in order), then labelled.
  const page = db
    .select({ id: c.id, createdAt: c.createdAt, door: c.channel, agentId: c.agentId, apiKeyId: c.apiKeyId })
    .from(c)
    .where(and(...conditions))
    .orderBy(...(backwards ? [asc(c.createdAt), asc(c.id)] : [desc(c.createdAt), desc(c.id)]))
    .limit(PAGE_SIZE + 1)
    .as("page");
  const rows = await db
    .select({
      id: page.id,
      createdAt: page.createdAt,
      door: page.door,
      agentId: page.agentId,
      agentName: tables.agents.name,
      agentPublicId: tables.agents.publicId,
      keyName: tables.apiKeys.name,
    })
    .from(page)
    .innerJoin(tables.agents, eq(tables.agents.id, page.agentId))
    .leftJoin(tables.apiKeys, eq(tables.apiKeys.id, page.apiKeyId))
    .orderBy(...(backwards ? [asc(page.createdAt), asc(page.id)] : [desc(page.createdAt), desc(page.id)]));
  const more = rows.length > PAGE_SIZE;
  const shown = rows.slice(0, PAGE_SIZE);
  if (backwards) shown.reverse();

  const m = tables.messages;
  const turns =
    shown.length === 0
      ? []
      : await db
          .select({
            conversationId: m.conversationId,
            role: m.role,
            preview: sql<string>`left(${m.content}, ${PREVIEW_CHARS})`,
            status: m.status,
            tokens: sql<number>`${m.inputTokens} + ${m.outputTokens}`.mapWith(Number),
          })
          .from(m)
          .where(
            inArray(
              m.conversationId,
              shown.map((row) => row.id),
            ),
          );

  const items = shown.map((row): ConversationSummary => {
    const own = turns.filter((turn) => turn.conversationId === row.id);
    const reply = own.find((turn) => turn.role === "assistant");
    return {
      id: row.id,
      createdAt: row.createdAt,
      agent: { id: row.agentId, label: row.agentName ?? row.agentPublicId },
      door: row.door,
      key: row.keyName,
      prompt: own.find((turn) => turn.role === "user")?.preview ?? "",
      status: reply?.status ?? null,
      tokens: own.reduce((sum, turn) => sum + turn.tokens, 0),
    };
  });
  const first = items[0]?.id ?? null;
  const last = items.at(-1)?.id ?? null;
  return {
    items,
    newer: backwards ? (more ? first : null) : cursor ? first : null,
    older: backwards ? last : more ? last : null,
  };
}

/** One part of a turn of the transcript, as the page shows it. */
export type TurnPart =
  | { kind: "text"; text: string }
  | { kind: "tool-call"; name: string; input: string }
  | { kind: "tool-result"; name: string; output: string }
  | { kind: "other"; label: string };

export interface Turn {
  role: string;
  parts: TurnPart[];
}

const json = (value: unknown) => (typeof value === "string" ? value : (JSON.stringify(value, null, 2) ?? ""));

function partOf(part: unknown): TurnPart {
  const record = (typeof part === "object" && part !== null ? part : {}) as Record<string, unknown>;
  const type = typeof record.type === "string" ? record.type : "unknown";
  if (type === "text" || type === "reasoning") return { kind: "text", text: String(record.text ?? "") };
  if (type === "tool-call") return { kind: "tool-call", name: String(record.toolName ?? ""), input: json(record.input) };
  if (type === "tool-result") {
    // AI SDK tool results wrap their value: { type: "json" | "text" | …, value }.
    const output = record.output as { value?: unknown } | undefined;
    return { kind: "tool-result", name: String(record.toolName ?? ""), output: json(output?.value ?? output) };
  }
  return { kind: "other", label: type };
}

/** A stored run's messages (AI SDK form: text, tool calls and their results) as readable turns. */
function turnsOf(messages: unknown[]): Turn[] {
  return messages.map((message) => {
    const record = (typeof message === "object" && message !== null ? message : {}) as { role?: unknown; content?: unknown };
    const content = record.content;
    return {
      role: typeof record.role === "string" ? record.role : "unknown",
      parts: typeof content === "string" ? [{ kind: "text", text: content }] : Array.isArray(content) ? content.map(partOf) : [],
    };
  });
}

export interface ConversationDetail {
  id: string;
  createdAt: Date;
  agent: { id: string; publicId: string; label: string };
  door: string;
  key: string | null;
  /** The conversation record: the prompt and the reply, with the reply's model, tokens and timing. */
  record: Array<{
    role: string;
    content: string;
    /** The member who wrote this reply in person (a channel conversation taken over); null: the agent or the caller. */
    author: string | null;
    model: string | null;
    inputTokens: number;
    outputTokens: number;
    latencyMs: number | null;
    status: string;
  }>;
  /** Every turn of the latest run that replied (the history it was given, tool calls, the answer), when it is still stored. */
  turns: Turn[];
  generation: { publicId: string; traceId: string; status: string; model: string | null; error: string | null } | null;
}

/** A conversation with its turns and the run (and trace) that answered it; null when the organisation has none by that id. */
export async function getConversation(db: Db, orgId: string, id: string): Promise<ConversationDetail | null> {
  if (!UUID_PATTERN.test(id)) return null;
  await flushGenerationRecords();
  const [row] = await db
    .select({
      conversation: tables.conversations,
      agentName: tables.agents.name,
      agentPublicId: tables.agents.publicId,
      keyName: tables.apiKeys.name,
    })
    .from(tables.conversations)
    .innerJoin(tables.agents, eq(tables.agents.id, tables.conversations.agentId))
    .leftJoin(tables.apiKeys, eq(tables.apiKeys.id, tables.conversations.apiKeyId))
    .where(and(eq(tables.conversations.orgId, orgId), eq(tables.conversations.id, id)));
  if (!row) return null;
  const record = await db
    .select({ message: tables.messages, author: tables.users.email })
    .from(tables.messages)
    .leftJoin(tables.users, eq(tables.users.id, tables.messages.authorUserId))
    .where(eq(tables.messages.conversationId, id))
    // The prompt and the reply are written in one statement, so they share a timestamp.
    .orderBy(asc(tables.messages.createdAt), sql`${tables.messages.role} = 'assistant'`);
  // A reply's id is the id of the generation that produced it; a channel conversation has one per answer.
  const replyIds = record.filter(({ message }) => message.role === "assistant").map(({ message }) => message.id);
  const [generation] =
    replyIds.length === 0
      ? []
      : await db
          .select()
          .from(tables.generations)
          .where(and(eq(tables.generations.orgId, orgId), inArray(tables.generations.id, replyIds)))
          .orderBy(desc(tables.generations.createdAt))
          .limit(1);
  return {
    id: row.conversation.id,
    createdAt: row.conversation.createdAt,
    agent: { id: row.conversation.agentId, publicId: row.agentPublicId, label: row.agentName ?? row.agentPublicId },
    door: row.conversation.channel,
    key: row.keyName,
    record: record.map(({ message, author }) => ({
      role: message.role,
      content: message.content,
      author,
      model: message.model,
      inputTokens: message.inputTokens,
      outputTokens: message.outputTokens,
      latencyMs: message.latencyMs,
      status: message.status,
    })),
    turns: generation ? turnsOf(generation.messages) : [],
    generation: generation
      ? {
          publicId: generation.publicId,
          traceId: generation.traceId,
          status: generation.status,
          model: generation.model,
          error: generation.error,
        }
      : null,
  };
}

/** Who may read conversations and traces: every member of the organisation. */
export const CONVERSATION_ROLES = ["owner", "admin", "member"] as const;

/**
 * The latest turns of a conversation record, oldest first, as a run's history: up to and
 * including one message when given (a message queued behind others sees only what came before).
 * Never a system turn (visitors and contacts cannot send one), and no failed reply (no words).
 */
export async function recentTurns(
  db: Db,
  conversationId: string,
  options: { upToMessageId?: string | null; limit: number },
): Promise<Array<{ role: "user" | "assistant"; content: string }>> {
  // Replies are written behind the run that made them: store them before reading.
  await flushGenerationRecords();
  const m = tables.messages;
  // Compared in SQL: the database keeps microseconds, a Date read back only milliseconds.
  const upTo = options.upToMessageId ? sql`(select created_at from messages where id = ${options.upToMessageId}::uuid)` : null;
  const rows = await db
    .select({ role: m.role, content: m.content, status: m.status })
    .from(m)
    .where(and(eq(m.conversationId, conversationId), upTo ? lte(m.createdAt, upTo) : undefined))
    .orderBy(desc(m.createdAt), desc(sql`${m.role} = 'assistant'`))
    .limit(options.limit);
  return rows
    .reverse()
    .flatMap((row) =>
      row.role !== "system" && row.content !== "" && row.status === "completed" ? [{ role: row.role, content: row.content }] : [],
    );
}
