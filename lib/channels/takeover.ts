import { and, asc, eq } from "drizzle-orm";
import { agentPublicId } from "@/lib/agents";
import { tables, type ChannelMessageStatus, type ChannelType, type Db } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { nudgeWorkers } from "@/lib/jobs";
import { latestReplyContext, queueSends } from "./replies";
import { publishEvent } from "@/lib/events";

/** A channel conversation as the dashboard shows it: who the contact is, whether the agent answers, every message's fate. */
export interface ChannelConversation {
  contactId: string;
  address: string;
  name: string | null;
  channel: { id: string; name: string; type: ChannelType; enabled: boolean };
  lastInboundAt: Date;
  /** Set while a member has taken over: the agent does not answer. */
  agentPausedAt: Date | null;
  log: Array<{
    id: string;
    direction: "inbound" | "outbound";
    text: string;
    status: ChannelMessageStatus;
    note: string | null;
    createdAt: Date;
  }>;
}

async function contactOf(db: Db, orgId: string, conversationId: string) {
  const [row] = await db
    .select({ contact: tables.channelContacts, connection: tables.channelConnections })
    .from(tables.channelContacts)
    .innerJoin(tables.channelConnections, eq(tables.channelConnections.id, tables.channelContacts.connectionId))
    .where(and(eq(tables.channelContacts.orgId, orgId), eq(tables.channelContacts.conversationId, conversationId)))
    .limit(1);
  return row ?? null;
}

/** The channel side of a conversation; null when it did not come through a channel (or its connection was deleted). */
export async function channelConversation(db: Db, orgId: string, conversationId: string): Promise<ChannelConversation | null> {
  const row = await contactOf(db, orgId, conversationId);
  if (!row) return null;
  const { contact, connection } = row;
  const log = await db
    .select({
      id: tables.channelMessages.id,
      direction: tables.channelMessages.direction,
      text: tables.channelMessages.text,
      status: tables.channelMessages.status,
      note: tables.channelMessages.note,
      createdAt: tables.channelMessages.createdAt,
    })
    .from(tables.channelMessages)
    .where(eq(tables.channelMessages.contactId, contact.id))
    .orderBy(asc(tables.channelMessages.createdAt));
  return {
    contactId: contact.id,
    address: contact.address,
    name: contact.name,
    channel: { id: connection.publicId, name: connection.name, type: connection.type, enabled: connection.enabled },
    lastInboundAt: contact.lastInboundAt,
    agentPausedAt: contact.agentPausedAt,
    log,
  };
}

async function requireContact(db: Db, orgId: string, conversationId: string) {
  const row = await contactOf(db, orgId, conversationId);
  if (!row) throw new ApiError("NOT_FOUND", "This conversation did not come through a channel");
  return row;
}

/** A member takes the conversation over (the agent stops answering this contact), or hands it back. */
export async function setAgentPaused(db: Db, orgId: string, conversationId: string, userId: string, paused: boolean): Promise<void> {
  const { contact } = await requireContact(db, orgId, conversationId);
  await db
    .update(tables.channelContacts)
    .set(paused ? { agentPausedAt: new Date(), pausedByUserId: userId } : { agentPausedAt: null, pausedByUserId: null })
    .where(eq(tables.channelContacts.id, contact.id));
}

/** A member writes to the contact in person: recorded in the conversation under their name, sent like the agent's replies. */
export async function sendMemberMessage(db: Db, orgId: string, conversationId: string, userId: string, text: string): Promise<void> {
  const { contact, connection } = await requireContact(db, orgId, conversationId);
  const context = await latestReplyContext(db, contact.id);
  await db.transaction(async (tx) => {
    const [record] = await tx
      .insert(tables.messages)
      .values({ orgId, conversationId, role: "assistant", content: text, authorUserId: userId })
      .returning({ id: tables.messages.id });
    await publishEvent(tx, {
      orgId,
      type: "message.created",
      data: {
        message_id: record!.id,
        conversation_id: conversationId,
        agent_id: await agentPublicId(tx, orgId, connection.agentId),
        role: "assistant",
        content: text,
        status: "completed",
        created_at: new Date().toISOString(),
      },
    });
    await queueSends(tx, { connection, contactId: contact.id, text, replyContext: context, inReplyToId: null, recordId: record!.id });
  });
  nudgeWorkers();
}
