import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { PageHeader } from "@/components/ui/page";
import { ANY_MEMBER, OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import { getRun, serializeRun } from "@/lib/automations";
import { getDb } from "@/lib/db";
import { assertRole, currentMember } from "@/lib/session";
import { RerunButton } from "../../controls";
import { orNotFound } from "../../load";
import { StatusBadge } from "../../status";

export const metadata: Metadata = { title: "Automation run · Conduit" };

const json = (value: unknown) => JSON.stringify(value, null, 2);

function Block({ label, value }: { label: string; value: unknown }) {
  return (
    <div className="grid content-start gap-1">
      <h4 className="text-xs font-medium text-text-muted">{label}</h4>
      <pre className="max-h-80 overflow-auto rounded bg-surface-muted p-3 font-mono text-xs whitespace-pre-wrap">{json(value)}</pre>
    </div>
  );
}

export default async function AutomationRunPage({ params }: { params: Promise<{ runId: string }> }) {
  const member = await currentMember();
  // As on the API: every member reads automations and their runs; reviewers only review.
  assertRole(member, ANY_MEMBER);
  const db = await getDb();
  const { run, automation } = await orNotFound(getRun(db, member.orgId, (await params).runId));
  const view = await serializeRun(db, run, automation);
  const canManage = (OWNERS_AND_ADMINS as readonly string[]).includes(member.role);
  return (
    <div className="grid max-w-5xl gap-6">
      <PageHeader
        title={`Run ${view.id}`}
        description={`Of “${automation.name}”${view.rerun_of ? `, repeating ${view.rerun_of}` : ""}`}
        actions={canManage && automation.publishedSteps ? <RerunButton runId={view.id} /> : null}
      />
      <Card className="grid gap-3">
        <dl className="grid gap-2 text-sm sm:grid-cols-[10rem_1fr]">
          <dt className="text-text-muted">Status</dt>
          <dd data-testid="run-status">
            <StatusBadge status={view.status} />
          </dd>
          <dt className="text-text-muted">Automation</dt>
          <dd>
            <Link href={`/dashboard/automations/${automation.publicId}`} className="text-accent underline-offset-4 hover:underline">
              {automation.name}
            </Link>
          </dd>
          <dt className="text-text-muted">Started</dt>
          <dd>
            <DateTime value={view.created_at} />
          </dd>
          <dt className="text-text-muted">Finished</dt>
          <dd>
            <DateTime value={view.finished_at} />
          </dd>
          {view.error ? (
            <>
              <dt className="text-text-muted">Error</dt>
              <dd className="text-danger">{view.error}</dd>
            </>
          ) : null}
        </dl>
        <Block label="Trigger payload" value={view.payload} />
      </Card>
      <section className="grid gap-4" aria-labelledby="steps-heading">
        <h2 id="steps-heading" className="font-medium">
          Steps
        </h2>
        {view.steps.length === 0 ? <p className="text-sm text-text-muted">No step has run yet.</p> : null}
        <ol className="grid gap-4">
          {view.steps.map((step) => (
            <li key={step.id}>
              <Card className="grid gap-3" data-testid="run-step">
                <h3 className="flex flex-wrap items-center gap-2 font-medium">
                  <span className="font-mono">{step.id}</span>
                  <span className="text-sm text-text-muted">{step.type}</span>
                  <StatusBadge status={step.status} />
                </h3>
                <p className="text-xs text-text-muted">
                  {step.duration_ms === null ? "Still waiting" : `${step.duration_ms} ms`} · {step.attempts} attempt
                  {step.attempts === 1 ? "" : "s"}
                </p>
                {step.error ? <p className="text-sm text-danger">{step.error}</p> : null}
                {step.warnings.length > 0 ? (
                  <ul className="list-disc pl-5 text-xs text-amber-800 dark:text-amber-300" aria-label={`Warnings of ${step.id}`}>
                    {step.warnings.map((warning, index) => (
                      <li key={index}>{warning}</li>
                    ))}
                  </ul>
                ) : null}
                <div className="grid gap-3 md:grid-cols-2">
                  <Block label="Input" value={step.input} />
                  <Block label="Output" value={step.output} />
                </div>
              </Card>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
