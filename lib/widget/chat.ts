import { and, eq, isNull, or, sql } from "drizzle-orm";
import { z } from "zod";
import { config } from "@/lib/config";
import { tables, type Db } from "@/lib/db";
import { chatStreamLine } from "@/lib/doors/chat";
import { ApiError } from "@/lib/errors";
import { streamGeneration } from "@/lib/generations";
import { recentTurns } from "@/lib/generations/conversations";
import { streamResponse, type RequestContext } from "@/lib/http";
import { getOrganisation } from "@/lib/orgs/settings";
import { enforceIngressLimit } from "@/lib/ratelimit";
import { originAllowed } from "./origins";
import type { VisitorCaller } from "./sessions";
import { publishEventLater } from "@/lib/events";

/** How much of the conversation a run sees. */
const HISTORY_TURNS = 30;

export const WidgetChatRequest = z.strictObject({
  message: z
    .string({ error: "message is required and must be a string" })
    .trim()
    .min(1, "message must not be empty")
    .max(4_000, "message must be at most 4,000 characters"),
});
export type WidgetChatRequest = z.output<typeof WidgetChatRequest>;

const secondsToUtcMidnight = () => {
  const now = new Date();
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((midnight - now.getTime()) / 1000));
};

/**
 * Counts one visitor message against the key's daily cap, in one statement so concurrent
 * visitors cannot pass it together; false once today's cap is spent.
 */
async function countTowardsDailyCap(db: Db, widgetKeyId: string): Promise<boolean> {
  const k = tables.widgetKeys;
  const today = sql`to_char(now() at time zone 'UTC', 'YYYY-MM-DD')`;
  const counted = await db
    .update(k)
    .set({
      messagesDay: today,
      messagesToday: sql`case when ${k.messagesDay} = ${today} then ${k.messagesToday} + 1 else 1 end`,
    })
    .where(
      and(
        eq(k.id, widgetKeyId),
        or(isNull(k.messagesDay), sql`${k.messagesDay} <> ${today}`, sql`${k.messagesToday} < ${k.dailyMessageCap}`),
      ),
    )
    .returning({ id: k.id });
  return counted.length > 0;
}

/**
 * One visitor message, answered as an NDJSON stream (the agent chat's lines) through the one
 * pipeline: door `widget`, the organisation's plan pays, the visitor's conversation is the history.
 */
export async function widgetChat(db: Db, claims: VisitorCaller, body: WidgetChatRequest, context: RequestContext, signal: AbortSignal) {
  const [row] = await db
    .select({
      visitor: tables.widgetVisitors,
      key: tables.widgetKeys,
      agentPublicId: tables.agents.publicId,
      actorPublicId: tables.actors.publicId,
    })
    .from(tables.widgetVisitors)
    .innerJoin(tables.widgetKeys, eq(tables.widgetKeys.id, tables.widgetVisitors.widgetKeyId))
    .innerJoin(tables.agents, eq(tables.agents.id, tables.widgetKeys.agentId))
    .innerJoin(tables.actors, eq(tables.actors.id, tables.widgetVisitors.actorId))
    .where(and(eq(tables.widgetVisitors.id, claims.visitorRowId), eq(tables.widgetKeys.id, claims.widgetKeyId)))
    .limit(1);
  if (!row || row.key.revokedAt) throw new ApiError("UNAUTHENTICATED", "This widget key was revoked");
  const { visitor, key } = row;
  if (claims.pageOrigin !== null && !originAllowed(claims.pageOrigin, key.allowedOrigins)) {
    throw new ApiError("FORBIDDEN", "This site is not among the widget key's allowed origins");
  }
  await enforceIngressLimit("widget-visitor", visitor.id, config().WIDGET_MESSAGES_PER_VISITOR_PER_MINUTE);
  await enforceIngressLimit("widget-ip", context.ip, config().WIDGET_MESSAGES_PER_IP_PER_MINUTE);
  if (!(await countTowardsDailyCap(db, key.id))) {
    throw new ApiError("RATE_LIMITED", `This chat has answered its ${key.dailyMessageCap} messages for today; try again tomorrow`, {
      headers: { "Retry-After": String(secondsToUtcMidnight()) },
    });
  }
  const [prompt] = await db
    .insert(tables.messages)
    .values({ orgId: key.orgId, conversationId: visitor.conversationId, role: "user", content: body.message })
    .returning({ id: tables.messages.id });
  publishEventLater(db, {
    orgId: key.orgId,
    type: "message.created",
    data: {
      message_id: prompt!.id,
      conversation_id: visitor.conversationId,
      agent_id: row.agentPublicId,
      role: "user",
      content: body.message,
      status: "completed",
      created_at: new Date().toISOString(),
    },
  });
  const org = await getOrganisation(db, key.orgId);
  const cancel = new AbortController();
  const started = await streamGeneration(
    {
      door: "widget",
      agentRef: key.agentId,
      messages: await recentTurns(db, visitor.conversationId, { upToMessageId: prompt!.id, limit: HISTORY_TURNS }),
      actorRef: row.actorPublicId,
      conversationId: visitor.conversationId,
    },
    { key: null, org, timing: context.timing, signal: AbortSignal.any([signal, cancel.signal]) },
  );
  return streamResponse(
    started,
    {
      contentType: "application/x-ndjson; charset=utf-8",
      encode: (event) => chatStreamLine(event, row.agentPublicId),
      encodeError: (error) =>
        JSON.stringify({ type: "error", error: { code: error.code, message: error.message, request_id: context.requestId } }) + "\n",
    },
    { requestId: context.requestId, abort: () => cancel.abort() },
  );
}
