import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Card, Notice } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState, PageHeader } from "@/components/ui/page";
import { Pager } from "@/components/ui/pager";
import { Table, Td, Th } from "@/components/ui/table";
import { ANY_MEMBER, OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import { getDb } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { currentMember } from "@/lib/session";
import { getEndpoint, listDeliveries } from "@/lib/webhooks";
import { DeleteEndpoint, EditEndpoint, EnableEndpoint, ResendDelivery, RotateSecret, SendTestEvent } from "../endpoint-forms";
import { DeliveryStatus, EndpointStatus, eventsText, holds } from "../format";

export const metadata: Metadata = { title: "Webhook endpoint · Conduit" };

async function endpointOrNotFound(orgId: string, id: string) {
  const db = await getDb();
  try {
    return await getEndpoint(db, orgId, id);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) notFound();
    throw error;
  }
}

export default async function EndpointPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ cursor?: string | string[] }>;
}) {
  const member = await currentMember();
  if (!holds(ANY_MEMBER, member.role)) notFound();
  const { id } = await params;
  const cursorParam = (await searchParams).cursor;
  const cursor = typeof cursorParam === "string" ? cursorParam : undefined;
  const endpoint = await endpointOrNotFound(member.orgId, id);
  const deliveries = await listDeliveries(await getDb(), member.orgId, endpoint.publicId, { limit: 20, cursor });
  const canChange = holds(OWNERS_AND_ADMINS, member.role);
  return (
    <div className="grid max-w-6xl gap-6">
      <PageHeader
        title={endpoint.description || "Webhook endpoint"}
        description={`${endpoint.url} · ${eventsText(endpoint.eventTypes)}`}
        actions={
          <Link href="/dashboard/webhooks" className="text-sm underline underline-offset-4">
            All endpoints
          </Link>
        }
      />
      <Card className="grid gap-3">
        <div className="flex flex-wrap items-center gap-3">
          <EndpointStatus enabled={endpoint.enabled} reason={endpoint.disabledReason} />
          <span className="font-mono text-xs">{endpoint.publicId}</span>
          {endpoint.consecutiveFailures > 0 ? (
            <span className="text-xs text-text-muted">{endpoint.consecutiveFailures} failed deliveries in a row</span>
          ) : null}
        </div>
        {endpoint.disabledReason ? (
          <Notice tone="error" data-testid="disabled-reason">
            Conduit disabled this endpoint: {endpoint.disabledReason}
            {endpoint.disabledAt ? (
              <>
                {" "}
                (<DateTime value={endpoint.disabledAt} />)
              </>
            ) : null}
            . Fix the receiver, then enable it again.
          </Notice>
        ) : null}
        {canChange ? (
          <div className="flex flex-wrap items-start gap-3">
            {endpoint.enabled ? <SendTestEvent id={endpoint.publicId} /> : null}
            <EnableEndpoint
              id={endpoint.publicId}
              enabled={!endpoint.enabled}
              label={endpoint.enabled ? "Disable" : endpoint.disabledReason ? "Re-enable" : "Enable"}
            />
            <RotateSecret id={endpoint.publicId} />
            <DeleteEndpoint id={endpoint.publicId} url={endpoint.url} />
          </div>
        ) : null}
      </Card>
      {canChange ? (
        <Card className="grid gap-4">
          <h2 className="font-medium">Settings</h2>
          <EditEndpoint
            endpoint={{ id: endpoint.publicId, url: endpoint.url, description: endpoint.description, eventTypes: endpoint.eventTypes }}
          />
        </Card>
      ) : null}
      <h2 className="text-lg font-medium">Deliveries</h2>
      {deliveries.data.length === 0 ? (
        <EmptyState title={cursor ? "No older deliveries." : "No deliveries yet."}>
          Events this endpoint subscribes to appear here with every attempt.
        </EmptyState>
      ) : (
        <Table caption="Deliveries, newest first">
          <thead>
            <tr>
              <Th>Event</Th>
              <Th>Status</Th>
              <Th>Attempts</Th>
              <Th>Created</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {deliveries.data.map((delivery) => (
              <tr key={delivery.id} data-testid="delivery">
                <Td>
                  <code className="font-mono text-xs">{delivery.event_type}</code>
                  <span className="block font-mono text-xs text-text-muted">{delivery.id}</span>
                </Td>
                <Td>
                  <DeliveryStatus status={delivery.status} />
                </Td>
                <Td>
                  <ol className="grid gap-1 text-xs">
                    {delivery.attempts.map((attempt, index) => (
                      <li key={`${attempt.at}-${index}`}>
                        <span className="font-medium">{attempt.status ?? "no answer"}</span> · {attempt.duration_ms} ms ·{" "}
                        <DateTime value={new Date(attempt.at)} />
                        {attempt.error ? <span className="block text-danger">{attempt.error}</span> : null}
                        {attempt.response ? <code className="block font-mono break-all text-text-muted">{attempt.response}</code> : null}
                      </li>
                    ))}
                  </ol>
                </Td>
                <Td className="whitespace-nowrap">
                  <DateTime value={new Date(delivery.created_at)} />
                </Td>
                <Td>{canChange && delivery.status !== "pending" && endpoint.enabled ? <ResendDelivery id={delivery.id} /> : null}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <Pager
        previous={cursor ? `/dashboard/webhooks/${endpoint.publicId}` : null}
        next={deliveries.next_cursor ? `/dashboard/webhooks/${endpoint.publicId}?cursor=${deliveries.next_cursor}` : null}
        label="Delivery pages"
      />
    </div>
  );
}
