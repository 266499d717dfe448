import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { ANY_ROLE } from "@/lib/auth/user-tokens";
import type { GateThreadResponse } from "@/lib/contracts";
import { getDb } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { openThread } from "@/lib/gate";
import { assertRole, currentMember } from "@/lib/session";
import { Card } from "@/components/ui/card";
import { RiskBadge, StatusBadge, Time } from "../thread-badges";
import { DecisionForm } from "./decision-form";

/** A review thread: what the agent wants to do and why, the task so far, and the decision. */
export default async function ThreadPage({ params }: { params: Promise<{ threadId: string }> }) {
  const member = await currentMember();
  assertRole(member, ANY_ROLE);
  const { threadId } = await params;
  let thread: GateThreadResponse;
  try {
    thread = await openThread(await getDb(), member.orgId, threadId);
  } catch (error) {
    // Another organisation's thread is simply not found.
    if (error instanceof ApiError && error.code === "NOT_FOUND") notFound();
    throw error;
  }
  const open = thread.status === "needs_review" || thread.status === "escalated";
  const final = open ? null : thread.decisions.findLast((step) => step.status === thread.status);

  return (
    <div className="grid max-w-6xl gap-6">
      <Link href="/dashboard/reviews" className="w-fit text-sm text-accent underline underline-offset-4">
        All reviews
      </Link>
      <header className="grid gap-2">
        <h1 className="text-2xl font-semibold">{thread.subject}</h1>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <StatusBadge status={thread.status} />
          <RiskBadge risk={thread.risk_level} />
          <span className="text-text-muted">
            {thread.workflow_name} · {thread.task_label}
          </span>
        </div>
      </header>

      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="grid gap-6">
          <Card aria-labelledby="request-heading" className="grid gap-5">
            <h2 id="request-heading" className="text-lg font-medium">
              Request
            </h2>
            <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-1 text-sm">
              <Detail term="Thread">
                <span className="font-mono text-xs">{thread.thread_id}</span>
              </Detail>
              <Detail term="Task">
                <span className="font-mono text-xs break-all">{thread.task_id}</span>
              </Detail>
              <Detail term="Tool">
                <span className="font-mono text-xs">{thread.tool_name}</span>
              </Detail>
              <Detail term="Opened">
                <Time iso={thread.created_at} />
              </Detail>
              {thread.revision_id ? <Detail term="Revision">{thread.revision_id}</Detail> : null}
            </dl>
            {thread.preview ? <p>{thread.preview}</p> : null}
            {thread.summary.length > 0 ? (
              <section aria-labelledby="summary-heading">
                <h3 id="summary-heading" className="text-sm font-medium">
                  Summary
                </h3>
                <ul className="mt-1 list-disc pl-5 text-sm">
                  {thread.summary.map((line, index) => (
                    <li key={index}>{line}</li>
                  ))}
                </ul>
              </section>
            ) : null}
            <section aria-labelledby="payload-heading">
              <h3 id="payload-heading" className="text-sm font-medium">
                Payload
              </h3>
              {thread.payload ? (
                <Json value={thread.payload} label="Payload of the request" />
              ) : (
                <p className="mt-1 text-sm text-text-muted">The agent sent no payload.</p>
              )}
            </section>
            {thread.images.length > 0 ? (
              <section aria-labelledby="images-heading">
                <h3 id="images-heading" className="text-sm font-medium">
                  Images
                </h3>
                <Images urls={thread.images} of="the request" />
              </section>
            ) : null}
          </Card>

          <Card aria-labelledby="timeline-heading" className="grid gap-4">
            <h2 id="timeline-heading" className="text-lg font-medium">
              Timeline
            </h2>
            {thread.timeline.length === 0 ? (
              <p className="text-sm text-text-muted">The agent logged no events for this task.</p>
            ) : (
              <ol className="grid gap-4 border-l border-border pl-4">
                {thread.timeline.map((event, index) => (
                  <li key={index} className="grid gap-1 text-sm">
                    <p className="flex flex-wrap items-baseline gap-2">
                      <span className="font-mono text-xs">{event.event_type}</span>
                      <span className="text-text-muted">
                        <Time iso={event.created_at} />
                      </span>
                    </p>
                    <p>{event.event_summary}</p>
                    {event.payload ? (
                      <details>
                        <summary className="cursor-pointer text-text-muted">Payload</summary>
                        <Json value={event.payload} label={`Payload of event ${index + 1}`} />
                      </details>
                    ) : null}
                    {event.images.length > 0 ? <Images urls={event.images} of={`event ${index + 1} (${event.event_type})`} /> : null}
                  </li>
                ))}
              </ol>
            )}
          </Card>
        </div>

        <div className="grid gap-6">
          <Card aria-labelledby="decision-heading" className="grid gap-4">
            <h2 id="decision-heading" className="text-lg font-medium">
              Decision
            </h2>
            {open ? (
              <DecisionForm threadId={thread.thread_id} escalated={thread.status === "escalated"} />
            ) : (
              <div className="grid gap-2 text-sm" data-testid="final-decision">
                <p className="flex flex-wrap items-center gap-2">
                  <StatusBadge status={thread.status} />
                  {final ? (
                    <span className="text-text-muted">
                      by {final.reviewer?.name ?? (final.decided_by === "rules" ? "the rules" : "a former member")}
                    </span>
                  ) : null}
                  {thread.decided_at ? (
                    <span className="text-text-muted">
                      <Time iso={thread.decided_at} />
                    </span>
                  ) : null}
                </p>
                {thread.decision_message ? (
                  <blockquote className="border-l-2 border-border pl-3">{thread.decision_message}</blockquote>
                ) : null}
                <p className="text-text-muted">This decision is final.</p>
              </div>
            )}
          </Card>

          <Card aria-labelledby="history-heading" className="grid gap-4">
            <h2 id="history-heading" className="text-lg font-medium">
              Decision history
            </h2>
            {thread.decisions.length === 0 ? (
              <p className="text-sm text-text-muted">No decisions recorded yet.</p>
            ) : (
              <ol className="grid gap-3" data-testid="decision-history">
                {thread.decisions.map((step, index) => (
                  <li key={index} className="grid gap-1 text-sm">
                    <p className="flex flex-wrap items-center gap-2">
                      <StatusBadge status={step.status} />
                      <span className="text-text-muted">
                        {step.decided_by === "rules" ? "Rules" : (step.reviewer?.name ?? "A former member")} ·{" "}
                        <Time iso={step.created_at} />
                      </span>
                    </p>
                    <p>{step.message}</p>
                    {step.revision_id ? <p className="text-text-muted">Revision {step.revision_id}</p> : null}
                  </li>
                ))}
              </ol>
            )}
          </Card>
        </div>
      </div>
    </div>
  );
}

function Detail({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-text-muted">{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** Pretty-printed JSON; focusable, so a keyboard can scroll a long one. */
function Json({ value, label }: { value: unknown; label: string }) {
  return (
    <pre
      tabIndex={0}
      aria-label={label}
      className="mt-1 max-h-96 overflow-auto rounded-md bg-surface-muted p-3 font-mono text-xs focus-visible:outline-2 focus-visible:outline-accent"
    >
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

function Images({ urls, of }: { urls: string[]; of: string }) {
  return (
    <ul className="mt-2 flex flex-wrap gap-3">
      {urls.map((url, index) => (
        <li key={index}>
          {/* eslint-disable-next-line @next/next/no-img-element -- data URLs from the database: nothing for next/image to fetch or optimise */}
          <img
            src={url}
            alt={`Image ${index + 1} of ${urls.length} attached to ${of}`}
            className="max-h-64 min-h-16 max-w-full min-w-16 rounded-md border border-border bg-surface-muted object-contain"
          />
        </li>
      ))}
    </ul>
  );
}
