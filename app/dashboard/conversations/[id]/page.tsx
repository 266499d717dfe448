import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { channelConversation, type ChannelConversation } from "@/lib/channels";
import { CHANNEL_LABELS } from "@/lib/channels/labels";
import { getDb, type ChannelMessageStatus } from "@/lib/db";
import { CONVERSATION_ROLES, getConversation, type ConversationDetail, type TurnPart } from "@/lib/generations/conversations";
import { assertRole, currentMember } from "@/lib/session";
import { widgetVisitorOfConversation, type WidgetVisitorSummary } from "@/lib/widget";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, Notice } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { PageHeader } from "@/components/ui/page";
import { doorLabel, formatTime, statusTone } from "../format";
import { MemberReply, TakeOverButton } from "./channel-forms";

export const metadata: Metadata = { title: "Conversation · Conduit" };

function Part({ part }: { part: TurnPart }) {
  switch (part.kind) {
    case "text":
      return <p className="whitespace-pre-wrap">{part.text}</p>;
    case "tool-call":
      return (
        <div>
          <p className="text-xs font-medium text-text-muted">Calls the tool {part.name}</p>
          <pre className="mt-1 overflow-x-auto rounded bg-surface-muted p-2 text-xs">{part.input}</pre>
        </div>
      );
    case "tool-result":
      return (
        <div>
          <p className="text-xs font-medium text-text-muted">Result of {part.name}</p>
          <pre className="mt-1 max-h-64 overflow-auto rounded bg-surface-muted p-2 text-xs">{part.output}</pre>
        </div>
      );
    case "other":
      return <p className="text-xs text-text-muted">({part.label})</p>;
  }
}

const CHANNEL_STATUS_TONES: Record<ChannelMessageStatus, "good" | "warn" | "bad" | "neutral"> = {
  received: "neutral",
  waiting: "warn",
  answered: "good",
  skipped: "warn",
  queued: "neutral",
  sent: "good",
  withheld: "warn",
  failed: "bad",
};

/** Who the contact is, which connection they wrote to, and who answers them: the agent, or a member who took over. */
function ChannelPanel({ conversationId, agentId, channel }: { conversationId: string; agentId: string; channel: ChannelConversation }) {
  const contact = channel.name ?? channel.address;
  return (
    <Card className="grid gap-4 p-4" aria-labelledby="channel-heading">
      <h2 id="channel-heading" className="font-medium">
        {CHANNEL_LABELS[channel.channel.type]} contact
      </h2>
      <dl className="grid gap-2 text-sm sm:grid-cols-[12rem_1fr]">
        <dt className="font-medium">Contact</dt>
        <dd>
          {channel.name ? `${channel.name} · ` : null}
          <code className="font-mono text-xs">{channel.address}</code>
        </dd>
        <dt className="font-medium">Channel connection</dt>
        <dd className="flex flex-wrap items-center gap-2">
          <Link href={`/dashboard/agents/${agentId}/deployments/channels`} className="text-accent underline-offset-4 hover:underline">
            {channel.channel.name}
          </Link>
          <Badge>{CHANNEL_LABELS[channel.channel.type]}</Badge>
          {channel.channel.enabled ? null : <Badge tone="warn">Disabled</Badge>}
        </dd>
        <dt className="font-medium">Their last message</dt>
        <dd>
          <DateTime value={channel.lastInboundAt} />
        </dd>
        <dt className="font-medium">Who answers</dt>
        <dd data-testid="who-answers">
          {channel.agentPausedAt ? (
            <>
              <Badge tone="warn">A member has taken over</Badge> since <DateTime value={channel.agentPausedAt} />: the agent does not answer
            </>
          ) : (
            <Badge tone="good">The agent answers</Badge>
          )}
        </dd>
      </dl>
      <TakeOverButton conversationId={conversationId} takenOver={channel.agentPausedAt !== null} />
      <MemberReply conversationId={conversationId} contact={contact} />
    </Card>
  );
}

/** Every message in and out of the channel, with what became of it (sent, withheld, skipped and why). */
function ChannelLog({ channel }: { channel: ChannelConversation }) {
  const contact = channel.name ?? channel.address;
  return (
    <section aria-labelledby="channel-log-heading" className="grid gap-3">
      <h2 id="channel-log-heading" className="font-medium">
        Channel log
      </h2>
      <ol className="grid gap-2" data-testid="channel-log">
        {channel.log.map((entry) => (
          <li key={entry.id} className="grid gap-1 rounded-lg border border-border p-3 text-sm">
            <p className="flex flex-wrap items-center gap-2 text-xs text-text-muted">
              <span className="font-semibold tracking-wide uppercase">
                {entry.direction === "inbound" ? `From ${contact}` : `To ${contact}`}
              </span>
              <DateTime value={entry.createdAt} />
              <Badge tone={CHANNEL_STATUS_TONES[entry.status]}>{entry.status}</Badge>
            </p>
            <p className="whitespace-pre-wrap">{entry.text}</p>
            {entry.note ? <p className="text-xs text-text-muted">{entry.note}</p> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** A channel conversation's record: every message in order, the contact's, the agent's and those members wrote in person. */
function ConversationRecord({ record, contact }: { record: ConversationDetail["record"]; contact: string }) {
  return (
    <section aria-labelledby="record-heading" className="grid gap-3">
      <h2 id="record-heading" className="font-medium">
        Messages
      </h2>
      <ol className="grid gap-3" data-testid="record">
        {record.map((message, index) => (
          <li
            key={index}
            className={
              message.role === "user"
                ? "rounded-lg border border-border bg-surface-muted p-4"
                : "rounded-lg border border-border bg-surface p-4"
            }
          >
            <p className="mb-1 text-xs font-semibold tracking-wide text-text-muted">
              {message.role === "user" ? contact : message.author ? `Member · by ${message.author}` : "Agent"}
              {message.status === "completed" ? null : (
                <>
                  {" "}
                  <Badge tone={statusTone(message.status)}>{message.status}</Badge>
                </>
              )}
            </p>
            <p className="text-sm whitespace-pre-wrap">{message.content || "(empty)"}</p>
          </li>
        ))}
      </ol>
    </section>
  );
}

export default async function ConversationPage({ params }: { params: Promise<{ id: string }> }) {
  const member = await currentMember();
  assertRole(member, CONVERSATION_ROLES);
  const { id } = await params;
  const db = await getDb();
  const conversation = await getConversation(db, member.orgId, id);
  if (!conversation) notFound();
  const channel = await channelConversation(db, member.orgId, conversation.id);
  const visitor = conversation.door === "widget" ? await widgetVisitorOfConversation(db, member.orgId, conversation.id) : null;
  // The agent's latest answer: a channel conversation has one per message, and members' own replies are not the agent's.
  const reply = conversation.record.findLast((message) => message.role === "assistant" && message.author === null);
  // The run's transcript holds every turn; the record (prompt and reply) stands in when the run is gone.
  const turns =
    conversation.turns.length > 0
      ? conversation.turns
      : conversation.record.map((message) => ({ role: message.role, parts: [{ kind: "text" as const, text: message.content }] }));

  return (
    <div className="grid max-w-4xl gap-6">
      <p className="text-sm">
        <Link href="/dashboard/conversations" className="text-accent underline-offset-4 hover:underline">
          ← Conversations
        </Link>
      </p>
      <PageHeader
        title={`Conversation with ${conversation.agent.label}`}
        description={`${formatTime(conversation.createdAt)} UTC · door ${doorLabel(conversation.door)}${conversation.key ? ` · key ${conversation.key}` : ""}`}
        actions={
          conversation.generation ? (
            <Button asChild variant="secondary">
              <Link href={`/dashboard/traces/${encodeURIComponent(conversation.generation.traceId)}`}>Open the trace</Link>
            </Button>
          ) : null
        }
      />

      {reply ? (
        <Card className="flex flex-wrap gap-x-6 gap-y-2 p-4 text-sm">
          <span>
            {channel ? "Latest reply" : "Reply"} <Badge tone={statusTone(reply.status)}>{reply.status}</Badge>
          </span>
          <span>Model {reply.model || "—"}</span>
          <span className="tabular-nums">
            {reply.inputTokens.toLocaleString("en")} input · {reply.outputTokens.toLocaleString("en")} output tokens
          </span>
          {reply.latencyMs !== null ? <span className="tabular-nums">{reply.latencyMs.toLocaleString("en")} ms</span> : null}
          {conversation.generation ? <span className="font-mono text-xs">{conversation.generation.publicId}</span> : null}
        </Card>
      ) : null}

      {visitor ? <WidgetVisitorCard visitor={visitor} /> : null}

      {conversation.generation?.error ? <Notice tone="error">The run failed: {conversation.generation.error}</Notice> : null}

      {channel ? (
        <>
          <ChannelPanel conversationId={conversation.id} agentId={conversation.agent.id} channel={channel} />
          <ConversationRecord record={conversation.record} contact={channel.name ?? channel.address} />
          <ChannelLog channel={channel} />
        </>
      ) : (
        <Turns turns={turns} />
      )}
    </div>
  );
}

/** Who a widget conversation is with: the person the site identified, or an anonymous visitor. */
function WidgetVisitorCard({ visitor }: { visitor: WidgetVisitorSummary }) {
  return (
    <Card className="grid gap-1 p-4 text-sm" aria-label="Website visitor" data-testid="widget-visitor">
      <p>
        <span className="font-medium">{visitor.subject ? visitor.name : "Anonymous website visitor"}</span>
        {visitor.subject ? <span className="text-text-muted"> · signed in on the site</span> : null}
      </p>
      {visitor.subject ? (
        <p className="text-text-muted">
          {visitor.email ? `${visitor.email} · ` : ""}user id <span className="font-mono text-xs">{visitor.subject}</span>
        </p>
      ) : null}
      <p className="text-text-muted">Through the widget key {visitor.widgetKeyName}</p>
    </Card>
  );
}

/** An API conversation: the run's turns, tool calls and results included. */
function Turns({ turns }: { turns: Array<{ role: string; parts: TurnPart[] }> }) {
  return (
    <section aria-labelledby="turns-heading" className="grid gap-3">
      <h2 id="turns-heading" className="font-medium">
        Turns
      </h2>
      {turns.length === 0 ? (
        <p className="text-sm text-text-muted">This conversation has no stored turns.</p>
      ) : (
        <ol className="grid gap-3" data-testid="turns">
          {turns.map((turn, index) => (
            <li
              key={index}
              className={
                turn.role === "user"
                  ? "rounded-lg border border-border bg-surface-muted p-4"
                  : "rounded-lg border border-border bg-surface p-4"
              }
            >
              <p className="mb-1 text-xs font-semibold tracking-wide text-text-muted uppercase">{turn.role}</p>
              <div className="grid gap-2 text-sm">
                {turn.parts.length === 0 ? <p className="text-text-muted">(empty)</p> : null}
                {turn.parts.map((part, partIndex) => (
                  <Part key={partIndex} part={part} />
                ))}
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
