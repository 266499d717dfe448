import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState, PageHeader } from "@/components/ui/page";
import { Table, Td, Th } from "@/components/ui/table";
import { ANY_MEMBER, OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import { agentChoices, getAutomation, listRuns, serializeAutomation } from "@/lib/automations";
import { getDb } from "@/lib/db";
import { assertRole, currentMember } from "@/lib/session";
import { AutomationEditor } from "../automation-editor";
import { DeleteAutomation, PublishControls, RotateTriggerSecrets } from "../controls";
import { orNotFound } from "../load";
import { StatusBadge } from "../status";

export const metadata: Metadata = { title: "Automation · Conduit" };

export default async function AutomationPage({ params }: { params: Promise<{ id: string }> }) {
  const member = await currentMember();
  // As on the API: every member reads automations and their runs; reviewers only review.
  assertRole(member, ANY_MEMBER);
  const db = await getDb();
  const automation = await orNotFound(getAutomation(db, member.orgId, (await params).id));
  const [view, runs, agents] = await Promise.all([
    serializeAutomation(db, automation),
    listRuns(db, automation),
    agentChoices(db, member.orgId),
  ]);
  const canManage = (OWNERS_AND_ADMINS as readonly string[]).includes(member.role);
  const published = view.status === "published";
  return (
    <div className="grid max-w-5xl gap-6">
      <PageHeader
        title={automation.name}
        description={
          published
            ? view.has_unpublished_changes
              ? "Published; the draft below has changes the trigger does not run yet."
              : "Published: the trigger runs these steps."
            : "Draft: the trigger answers 404 until you publish."
        }
        actions={published ? <Badge tone="good">Published</Badge> : <Badge>Draft</Badge>}
      />
      <Card className="grid gap-3">
        <h2 className="font-medium">Trigger</h2>
        <p className="text-sm text-text-muted">
          POST JSON to this URL with <code>Authorization: Bearer {view.trigger.bearer_secret_start}…</code>, or sign it with the signing
          secret (Standard Webhooks: <code>webhook-id</code>, <code>webhook-timestamp</code>, <code>webhook-signature</code>). Templates
          read the body as <code>{"{{trigger.body.…}}"}</code>.
        </p>
        <div className="flex flex-wrap items-center gap-2">
          <code className="rounded bg-surface-muted px-2 py-1 font-mono text-xs break-all" data-testid="trigger-url">
            {view.trigger.url}
          </code>
          <CopyButton value={view.trigger.url} label="Copy trigger URL" />
        </div>
        {canManage ? (
          <div className="flex flex-wrap gap-3">
            <PublishControls id={automation.publicId} published={published} changed={view.has_unpublished_changes} />
            <RotateTriggerSecrets id={automation.publicId} />
          </div>
        ) : null}
      </Card>
      <Card className="grid gap-4">
        <h2 className="font-medium">Draft</h2>
        {canManage ? (
          <AutomationEditor automationId={automation.publicId} name={automation.name} steps={view.steps} agents={agents} />
        ) : (
          <pre className="overflow-x-auto rounded bg-surface-muted p-3 font-mono text-xs">{JSON.stringify(view.steps, null, 2)}</pre>
        )}
      </Card>
      <section className="grid gap-3" aria-labelledby="runs-heading">
        <h2 id="runs-heading" className="font-medium">
          Runs
        </h2>
        {runs.length === 0 ? (
          <EmptyState title="No runs yet.">
            {published ? "Call the trigger URL to start one." : "Publish, then call the trigger URL."}
          </EmptyState>
        ) : (
          <Table caption="Latest runs">
            <thead>
              <tr>
                <Th>Run</Th>
                <Th>Status</Th>
                <Th>Started</Th>
                <Th>Finished</Th>
                <Th>Error</Th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr key={run.id}>
                  <Td>
                    <Link
                      href={`/dashboard/automations/runs/${run.publicId}`}
                      className="font-mono text-xs text-accent underline-offset-4 hover:underline"
                    >
                      {run.publicId}
                    </Link>
                  </Td>
                  <Td>
                    <StatusBadge status={run.status} />
                  </Td>
                  <Td className="whitespace-nowrap">
                    <DateTime value={run.createdAt} />
                  </Td>
                  <Td className="whitespace-nowrap">
                    <DateTime value={run.finishedAt} />
                  </Td>
                  <Td className="max-w-xs truncate text-xs">{run.error ?? ""}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </section>
      {canManage ? (
        <Card className="grid gap-3">
          <h2 className="font-medium">Delete</h2>
          <DeleteAutomation id={automation.publicId} name={automation.name} />
        </Card>
      ) : null}
    </div>
  );
}
