import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/lib/db";
import { CONVERSATION_ROLES, getConversation, type TurnPart } from "@/lib/generations/conversations";
import { assertRole, currentMember } from "@/lib/session";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, Notice } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page";
import { formatTime, statusTone } from "../format";

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

export default async function ConversationPage({ params }: { params: Promise<{ id: string }> }) {
  const member = await currentMember();
  assertRole(member, CONVERSATION_ROLES);
  const { id } = await params;
  const conversation = await getConversation(await getDb(), member.orgId, id);
  if (!conversation) notFound();
  const reply = conversation.record.find((message) => message.role === "assistant");
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
        description={`${formatTime(conversation.createdAt)} UTC · door ${conversation.door}${conversation.key ? ` · key ${conversation.key}` : ""}`}
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
            Reply <Badge tone={statusTone(reply.status)}>{reply.status}</Badge>
          </span>
          <span>Model {reply.model || "—"}</span>
          <span className="tabular-nums">
            {reply.inputTokens.toLocaleString("en")} input · {reply.outputTokens.toLocaleString("en")} output tokens
          </span>
          {reply.latencyMs !== null ? <span className="tabular-nums">{reply.latencyMs.toLocaleString("en")} ms</span> : null}
          {conversation.generation ? <span className="font-mono text-xs">{conversation.generation.publicId}</span> : null}
        </Card>
      ) : null}

      {conversation.generation?.error ? <Notice tone="error">The run failed: {conversation.generation.error}</Notice> : null}

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
    </div>
  );
}
