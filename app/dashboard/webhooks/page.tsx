import type { Metadata } from "next";
import Link from "next/link";
import { Card, Notice } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState, PageHeader } from "@/components/ui/page";
import { Table, Td, Th } from "@/components/ui/table";
import { ANY_MEMBER, OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import { getDb } from "@/lib/db";
import { currentMember } from "@/lib/session";
import { listEndpoints } from "@/lib/webhooks";
import { CreateEndpoint } from "./endpoint-forms";
import { EndpointStatus, eventsText, holds } from "./format";

export const metadata: Metadata = { title: "Webhooks · Conduit" };

export default async function WebhooksPage() {
  const member = await currentMember();
  const header = (
    <PageHeader
      title="Webhooks"
      description={`Endpoints that receive ${member.orgName}'s events (runs, messages, tasks, approvals, limits), signed the Standard Webhooks way.`}
    />
  );
  if (!holds(ANY_MEMBER, member.role)) {
    return (
      <div className="grid max-w-6xl gap-6">
        {header}
        <Notice>Reviewers review threads; webhook endpoints are for the organisation&apos;s other members.</Notice>
      </div>
    );
  }
  const endpoints = await listEndpoints(await getDb(), member.orgId);
  const canChange = holds(OWNERS_AND_ADMINS, member.role);
  return (
    <div className="grid max-w-6xl gap-6">
      {header}
      {canChange ? (
        <Card className="grid gap-4">
          <h2 className="font-medium">New endpoint</h2>
          <CreateEndpoint />
        </Card>
      ) : null}
      {endpoints.length === 0 ? (
        <EmptyState title="No webhook endpoints yet.">
          {canChange ? "Add one above; its signing secret is shown once." : "Owners and admins add endpoints."}
        </EmptyState>
      ) : (
        <Table caption="Webhook endpoints">
          <thead>
            <tr>
              <Th>URL</Th>
              <Th>Description</Th>
              <Th>Events</Th>
              <Th>Status</Th>
              <Th>Created</Th>
            </tr>
          </thead>
          <tbody>
            {endpoints.map((endpoint) => (
              <tr key={endpoint.id}>
                <Td className="break-all">
                  <Link href={`/dashboard/webhooks/${endpoint.publicId}`} className="font-medium text-accent underline underline-offset-4">
                    {endpoint.url}
                  </Link>
                </Td>
                <Td>{endpoint.description}</Td>
                <Td className="text-xs">{eventsText(endpoint.eventTypes)}</Td>
                <Td>
                  <EndpointStatus enabled={endpoint.enabled} reason={endpoint.disabledReason} />
                  {endpoint.disabledReason ? <span className="block text-xs text-text-muted">{endpoint.disabledReason}</span> : null}
                </Td>
                <Td className="whitespace-nowrap">
                  <DateTime value={endpoint.createdAt} />
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}
