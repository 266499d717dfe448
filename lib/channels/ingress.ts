import { and, eq, sql } from "drizzle-orm";
import { agentPublicId } from "@/lib/agents";
import { createCorrespondent } from "@/lib/agents/actors";
import { tables, type ChannelConnection, type ChannelContact, type Db } from "@/lib/db";
import { publishEvent } from "@/lib/events";
import { enqueueJob, nudgeWorkers } from "@/lib/jobs";
import type { InboundMessage } from "./types";

/** The contact who wrote, created on their first message with their actor and conversation. */
async function contactFor(tx: Db, connection: ChannelConnection, message: InboundMessage): Promise<ChannelContact> {
  const byAddress = and(eq(tables.channelContacts.connectionId, connection.id), eq(tables.channelContacts.address, message.from));
  const [known] = await tx.select().from(tables.channelContacts).where(byAddress).limit(1);
  if (known) return known;
  return createCorrespondent(
    tx,
    {
      orgId: connection.orgId,
      agentId: connection.agentId,
      name: message.name ?? message.from,
      type: connection.type,
      externalId: message.from,
      channel: connection.type,
    },
    async ({ actorId, conversationId }) => {
      const [created] = await tx
        .insert(tables.channelContacts)
        .values({
          orgId: connection.orgId,
          connectionId: connection.id,
          actorId,
          conversationId,
          address: message.from,
          name: message.name,
          lastInboundAt: message.sentAt,
        })
        .onConflictDoNothing()
        .returning();
      return created ?? null;
    },
    // Their first message arrived twice at once: the other delivery created the contact.
    async () => (await tx.select().from(tables.channelContacts).where(byAddress).limit(1))[0]!,
  );
}

/**
 * Stores what a vendor delivered and queues a run for each new message, one transaction per
 * message: once the vendor hears 200, every message is either stored with its run queued or was
 * stored before (a repeated delivery, which changes nothing). Returns how many were new.
 */
export async function receiveMessages(db: Db, connection: ChannelConnection, messages: InboundMessage[]): Promise<number> {
  let fresh = 0;
  for (const message of messages) {
    const stored = await db.transaction(async (tx) => {
      const contact = await contactFor(tx, connection, message);
      const [inbound] = await tx
        .insert(tables.channelMessages)
        .values({
          orgId: connection.orgId,
          connectionId: connection.id,
          contactId: contact.id,
          direction: "inbound",
          vendorMessageId: message.vendorMessageId,
          text: message.text,
          replyContext: message.replyContext,
          status: "received",
        })
        .onConflictDoNothing()
        .returning({ id: tables.channelMessages.id });
      if (!inbound) return false;
      const [record] = await tx
        .insert(tables.messages)
        .values({ orgId: connection.orgId, conversationId: contact.conversationId, role: "user", content: message.text })
        .returning({ id: tables.messages.id });
      await tx.update(tables.channelMessages).set({ recordId: record!.id }).where(eq(tables.channelMessages.id, inbound.id));
      await publishEvent(tx, {
        orgId: connection.orgId,
        type: "channel.message.received",
        data: {
          channel_id: connection.publicId,
          channel_type: connection.type,
          conversation_id: contact.conversationId,
          from: message.from,
          text: message.text,
        },
      });
      await publishEvent(tx, {
        orgId: connection.orgId,
        type: "message.created",
        data: {
          message_id: record!.id,
          conversation_id: contact.conversationId,
          agent_id: await agentPublicId(tx, connection.orgId, connection.agentId),
          role: "user",
          content: message.text,
          status: "completed",
          created_at: new Date().toISOString(),
        },
      });
      await tx
        .update(tables.channelContacts)
        .set({
          lastInboundAt: sql`greatest(${tables.channelContacts.lastInboundAt}, ${message.sentAt.toISOString()}::timestamptz)`,
          ...(message.name ? { name: message.name } : {}),
        })
        .where(eq(tables.channelContacts.id, contact.id));
      await enqueueJob(tx, { kind: "channel.answer", payload: { messageId: inbound.id } });
      return true;
    });
    if (stored) fresh++;
  }
  // The jobs became visible at commit: wake the worker rather than wait for its next poll.
  if (fresh > 0) nudgeWorkers();
  return fresh;
}
