import { and, desc, eq, inArray } from "drizzle-orm";
import { ApiError } from "@/lib/errors";
import {
  getDb,
  tables,
  type ChannelConnection,
  type ChannelContact,
  type ChannelMessage,
  type ChannelMessageStatus,
  type Db,
  type Organisation,
} from "@/lib/db";
import { startGeneration, type ChatTurn, type ResumedRun } from "@/lib/generations";
import { recentTurns } from "@/lib/generations/conversations";
import { RequestTiming } from "@/lib/http/timing";
import { enqueueJob, nudgeWorkers, RetryLaterError, type JobHandler } from "@/lib/jobs";
import { backgroundRefusal, loadApiKeyById, type ResolvedKey } from "@/lib/keys";
import { getOrganisation } from "@/lib/orgs/settings";
import { now } from "@/lib/runtime/clock";
import { maxTextOf, sendReply } from "./senders";
import { ChannelSendError, isMetaChannel } from "./types";

/** How much of a contact's conversation a run sees. */
const HISTORY_TURNS = 30;
/** WhatsApp, Messenger and Instagram take free-text replies this long after the contact's last message. */
const REPLY_WINDOW_MS = 24 * 60 * 60 * 1000;

interface Loaded {
  message: ChannelMessage;
  contact: ChannelContact;
  connection: ChannelConnection;
}

async function loadMessage(db: Db, messageId: string): Promise<Loaded | null> {
  const [row] = await db
    .select({ message: tables.channelMessages, contact: tables.channelContacts, connection: tables.channelConnections })
    .from(tables.channelMessages)
    .innerJoin(tables.channelContacts, eq(tables.channelContacts.id, tables.channelMessages.contactId))
    .innerJoin(tables.channelConnections, eq(tables.channelConnections.id, tables.channelMessages.connectionId))
    .where(eq(tables.channelMessages.id, messageId))
    .limit(1);
  return row ?? null;
}

/** Records what became of a message; only from the given statuses, so a late writer cannot undo a newer outcome. */
async function settle(
  db: Db,
  messageId: string,
  from: ChannelMessageStatus[],
  changes: { status: ChannelMessageStatus; note?: string | null; generationId?: string; vendorMessageId?: string | null },
): Promise<boolean> {
  const updated = await db
    .update(tables.channelMessages)
    .set({ ...changes, updatedAt: new Date() })
    .where(and(eq(tables.channelMessages.id, messageId), inArray(tables.channelMessages.status, from)))
    .returning({ id: tables.channelMessages.id });
  return updated.length > 0;
}

/** The contact's conversation up to the message being answered, oldest first, as the run's turns. */
async function historyOf(db: Db, contact: ChannelContact, inbound: ChannelMessage): Promise<ChatTurn[]> {
  const turns = await recentTurns(db, contact.conversationId, { upToMessageId: inbound.recordId, limit: HISTORY_TURNS });
  if (turns.at(-1)?.content !== inbound.text) turns.push({ role: "user", content: inbound.text });
  return turns;
}

/** A reply in parts the channel accepts: split at paragraph, line, sentence or word boundaries. */
export function splitReply(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const cut = [window.lastIndexOf("\n\n"), window.lastIndexOf("\n"), window.lastIndexOf(". "), window.lastIndexOf(" ")].find(
      (index) => index > max / 2,
    );
    const end = cut === undefined ? max : cut + 1;
    parts.push(rest.slice(0, end).trim());
    rest = rest.slice(end).trim();
  }
  if (rest) parts.push(rest);
  return parts;
}

/**
 * Queues a reply for sending, in parts the channel accepts, each its own send job (a vendor
 * refusing one part does not hold back the others). Pass a transaction to make it part of one.
 */
export async function queueSends(
  db: Db,
  reply: {
    connection: ChannelConnection;
    contactId: string;
    text: string;
    replyContext: Record<string, string> | null;
    /** The inbound message answered; null for a member's own message. */
    inReplyToId: string | null;
    /** The reply's row in the conversation record. */
    recordId: string;
  },
): Promise<void> {
  for (const part of splitReply(reply.text, maxTextOf(reply.connection.type))) {
    const [outbound] = await db
      .insert(tables.channelMessages)
      .values({
        orgId: reply.connection.orgId,
        connectionId: reply.connection.id,
        contactId: reply.contactId,
        direction: "outbound",
        text: part,
        replyContext: reply.replyContext,
        status: "queued",
        inReplyToId: reply.inReplyToId,
        recordId: reply.recordId,
      })
      .returning({ id: tables.channelMessages.id });
    await enqueueJob(db, { kind: "channel.send", payload: { messageId: outbound!.id } });
  }
}

/**
 * Queues the agent's answer to an inbound message, once: the inbound is marked answered in the
 * same transaction that queues the sends, so a repeated job cannot send twice.
 */
async function queueAnswer(db: Db, loaded: Loaded, text: string, generationId: string): Promise<void> {
  const { message: inbound, connection } = loaded;
  const hasText = text.trim() !== "";
  await db.transaction(async (tx) => {
    const answered = await settle(tx, inbound.id, ["received", "waiting"], {
      status: hasText ? "answered" : "skipped",
      note: hasText ? null : "The agent's answer had no text to send",
      generationId,
    });
    if (!answered || !hasText) return;
    // The reply's row in the conversation record has the generation's id.
    const recordId = generationId;
    await queueSends(tx, {
      connection,
      contactId: inbound.contactId,
      text,
      replyContext: inbound.replyContext,
      inReplyToId: inbound.id,
      recordId,
    });
  });
  nudgeWorkers();
}

/**
 * Who pays for a connection's runs: its key (budget reserved before each model call, within the
 * organisation's plan), or without one the organisation's plan alone. A key that can no longer
 * pay (revoked, expired) refuses the run rather than letting the organisation pay instead.
 */
async function payerOf(db: Db, connection: ChannelConnection): Promise<{ key: ResolvedKey } | { key: null; org: Organisation } | ApiError> {
  if (!connection.apiKeyId) return { key: null, org: await getOrganisation(db, connection.orgId) };
  const key = await loadApiKeyById(connection.apiKeyId);
  if (!key) return new ApiError("KEY_REVOKED", "The API key that pays for this channel no longer exists");
  return backgroundRefusal(key, now()) ?? { key };
}

/** Runs the connection's agent on a message that came in, with the contact's conversation as history. */
export const channelAnswerHandler: JobHandler<"channel.answer"> = {
  async run({ messageId }) {
    const db = await getDb();
    const loaded = await loadMessage(db, messageId);
    if (!loaded || loaded.message.status !== "received") return;
    const { message, contact, connection } = loaded;
    const skip = (note: string) => settle(db, message.id, ["received"], { status: "skipped", note });
    if (!connection.enabled) return void (await skip("The channel connection is disabled"));
    if (contact.agentPausedAt) return void (await skip("A member has taken this conversation over"));
    const [actor] = await db.select({ publicId: tables.actors.publicId }).from(tables.actors).where(eq(tables.actors.id, contact.actorId));
    const payer = await payerOf(db, connection);
    if (payer instanceof ApiError) return void (await skip(`${payer.code}: ${payer.message}`));
    let outcome;
    try {
      outcome = await startGeneration(
        {
          door: connection.type,
          agentRef: connection.agentId,
          messages: await historyOf(db, contact, message),
          actorRef: actor?.publicId,
          conversationId: contact.conversationId,
        },
        { ...payer, timing: new RequestTiming(performance.now()), signal: new AbortController().signal },
      );
    } catch (error) {
      // Refusals (plan limits, a missing provider key) are recorded, never retried; the vendor already heard 200.
      if (error instanceof ApiError && error.status < 500) return void (await skip(`${error.code}: ${error.message}`));
      throw error;
    }
    if (outcome.status === "requires_action") {
      const underReview = outcome.toolCalls.some((call) => call.approvalId);
      await settle(db, message.id, ["received"], {
        status: underReview ? "waiting" : "skipped",
        note: underReview
          ? "Waiting for a reviewer's decision on a gated tool call; the answer is sent once the run resumes"
          : "The agent asked for client tool outputs, which a channel cannot give",
        generationId: outcome.rowId,
      });
      return;
    }
    await queueAnswer(db, loaded, outcome.text ?? "", outcome.rowId);
  },
  async giveUp({ messageId }, _job, lastError) {
    const db = await getDb();
    await settle(db, messageId, ["received"], { status: "failed", note: `The agent could not answer: ${lastError}` });
  },
};

/** A channel run that paused for review ended: its answer goes out like any other. */
export async function answerAfterReview(resumed: ResumedRun): Promise<void> {
  const db = await getDb();
  const [waiting] = await db
    .select({ id: tables.channelMessages.id })
    .from(tables.channelMessages)
    .where(and(eq(tables.channelMessages.generationId, resumed.generation.id), eq(tables.channelMessages.status, "waiting")))
    .limit(1);
  const loaded = waiting ? await loadMessage(db, waiting.id) : null;
  if (!loaded) return;
  if ("error" in resumed) {
    await settle(db, loaded.message.id, ["waiting"], { status: "failed", note: `The agent could not answer: ${resumed.error.message}` });
  } else if (resumed.outcome.status !== "requires_action") {
    await queueAnswer(db, loaded, resumed.outcome.text ?? "", resumed.generation.id);
  }
}

/** Whether free text may go to the contact now: the 24-hour customer service window of Meta's channels (and WhatsApp over Twilio). */
function outsideReplyWindow(connection: ChannelConnection, contact: ChannelContact): boolean {
  const windowed = isMetaChannel(connection.type) || (connection.type === "twilio" && contact.address.startsWith("whatsapp:"));
  return windowed && now().getTime() - contact.lastInboundAt.getTime() > REPLY_WINDOW_MS;
}

/** Sends one queued message through the vendor's API; vendor throttling and outages are retried. */
export const channelSendHandler: JobHandler<"channel.send"> = {
  async run({ messageId }) {
    const db = await getDb();
    const loaded = await loadMessage(db, messageId);
    if (!loaded || loaded.message.status !== "queued") return;
    const { message, contact, connection } = loaded;
    if (!connection.enabled) {
      await settle(db, message.id, ["queued"], { status: "withheld", note: "The channel connection is disabled" });
      return;
    }
    if (outsideReplyWindow(connection, contact)) {
      await settle(db, message.id, ["queued"], {
        status: "withheld",
        note: "More than 24 hours since the contact's last message: the channel only accepts template messages now, so this free-text reply was not sent",
      });
      return;
    }
    try {
      const sent = await sendReply(connection, { to: contact.address, text: message.text, context: message.replyContext ?? {} });
      await settle(db, message.id, ["queued"], { status: "sent", note: null, vendorMessageId: sent.vendorMessageId });
    } catch (error) {
      if (!(error instanceof ChannelSendError)) throw error;
      if (!error.retryable) {
        await settle(db, message.id, ["queued"], { status: "failed", note: error.message });
        return;
      }
      throw error.retryAfterMs ? new RetryLaterError(error.message, error.retryAfterMs) : error;
    }
  },
  async giveUp({ messageId }, _job, lastError) {
    const db = await getDb();
    await settle(db, messageId, ["queued"], { status: "failed", note: lastError });
  },
};

/** The contact's latest inbound message: where a member's own message is addressed (its vendor ids, threading). */
export async function latestReplyContext(db: Db, contactId: string): Promise<Record<string, string>> {
  const [latest] = await db
    .select({ replyContext: tables.channelMessages.replyContext })
    .from(tables.channelMessages)
    .where(and(eq(tables.channelMessages.contactId, contactId), eq(tables.channelMessages.direction, "inbound")))
    .orderBy(desc(tables.channelMessages.createdAt))
    .limit(1);
  return latest?.replyContext ?? {};
}
