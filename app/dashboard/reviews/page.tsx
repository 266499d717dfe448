import Link from "next/link";
import { ANY_ROLE } from "@/lib/auth/user-tokens";
import { getDb } from "@/lib/db";
import { listThreads, RISK_LEVELS } from "@/lib/gate";
import { assertRole, currentMember } from "@/lib/session";
import { Button } from "@/components/ui/button";
import { NativeSelect } from "@/components/ui/native-select";
import { EmptyState, PageHeader } from "@/components/ui/page";
import { Pager } from "@/components/ui/pager";
import { Table, Td, Th } from "@/components/ui/table";
import { INBOX_PAGE_SIZE, InboxQuery, statusFilter } from "./schemas";
import { RiskBadge, STATUS_LABELS, StatusBadge, Time } from "./thread-badges";

const STATUS_OPTIONS = [
  { value: "open", label: "Awaiting review" },
  ...Object.entries(STATUS_LABELS).map(([value, label]) => ({ value, label })),
  { value: "all", label: "All" },
];
const RISK_OPTIONS = [
  { value: "any", label: "Any" },
  ...[...RISK_LEVELS].reverse().map((value) => ({ value, label: `${value[0]!.toUpperCase()}${value.slice(1)}` })),
];

/** The review inbox: the threads gate agents opened, in the API's order (elevated, riskiest, newest first). */
export default async function ReviewsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const member = await currentMember();
  assertRole(member, ANY_ROLE);
  const raw = await searchParams;
  const query = InboxQuery.parse(
    Object.fromEntries(Object.entries(raw).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value])),
  );
  // One more than a page, to know whether a next page exists.
  const threads = await listThreads(
    await getDb(),
    member.orgId,
    { status: statusFilter(query.status), riskLevel: query.risk_level === "any" ? undefined : query.risk_level },
    { limit: INBOX_PAGE_SIZE + 1, offset: (query.page - 1) * INBOX_PAGE_SIZE },
  );
  const shown = threads.slice(0, INBOX_PAGE_SIZE);
  const pageHref = (page: number) => {
    const params = new URLSearchParams();
    if (query.status !== "open") params.set("status", query.status);
    if (query.risk_level !== "any") params.set("risk_level", query.risk_level);
    if (page > 1) params.set("page", String(page));
    const search = params.toString();
    return `/dashboard/reviews${search ? `?${search}` : ""}`;
  };
  const filtered = query.status !== "open" || query.risk_level !== "any";

  return (
    <div className="grid max-w-6xl gap-6">
      <PageHeader
        title="Reviews"
        description="Actions gate agents asked approval for. Escalated threads come first, then the riskiest, then the newest."
      />
      <form method="get" className="flex flex-wrap items-end gap-4" aria-label="Filter threads">
        <NativeSelect name="status" label="Status" options={STATUS_OPTIONS} defaultValue={query.status} className="w-48" />
        <NativeSelect name="risk_level" label="Risk" options={RISK_OPTIONS} defaultValue={query.risk_level} className="w-36" />
        <Button type="submit" variant="secondary">
          Filter
        </Button>
        {filtered ? (
          <Link href="/dashboard/reviews" className="h-10 content-center text-sm text-accent underline underline-offset-4">
            Clear filters
          </Link>
        ) : null}
      </form>

      {shown.length === 0 ? (
        query.page > 1 ? (
          <EmptyState title="No more threads.">
            <Link href={pageHref(1)} className="text-accent underline underline-offset-4">
              Back to the first page
            </Link>
          </EmptyState>
        ) : filtered ? (
          <EmptyState title="No threads match these filters." />
        ) : (
          <EmptyState title="Nothing awaits review.">
            A thread appears here when a gate agent asks before acting (<code>POST /api/agent/tasks/&#123;taskID&#125;/requests</code>) and
            the rules send the action to review.
          </EmptyState>
        )
      ) : (
        <Table caption="Review threads">
          <thead>
            <tr>
              <Th>Subject</Th>
              <Th>Status</Th>
              <Th>Risk</Th>
              <Th>Workflow · task</Th>
              <Th>Tool</Th>
              <Th>Opened</Th>
            </tr>
          </thead>
          <tbody>
            {shown.map((thread) => (
              <tr key={thread.thread_id} data-testid="review-thread">
                <Td className="max-w-md">
                  <Link
                    href={`/dashboard/reviews/${encodeURIComponent(thread.thread_id)}`}
                    className="font-medium text-accent underline-offset-4 hover:underline"
                  >
                    {thread.subject}
                  </Link>
                  {thread.preview ? <p className="mt-0.5 truncate text-text-muted">{thread.preview}</p> : null}
                </Td>
                <Td className="whitespace-nowrap">
                  <StatusBadge status={thread.status} />
                </Td>
                <Td className="whitespace-nowrap">
                  <RiskBadge risk={thread.risk_level} />
                </Td>
                <Td>
                  {thread.workflow_name}
                  <span className="block text-text-muted">{thread.task_label}</span>
                </Td>
                <Td className="font-mono text-xs">{thread.tool_name}</Td>
                <Td className="whitespace-nowrap">
                  <Time iso={thread.created_at} />
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <Pager
        label="Review thread pages"
        previous={query.page > 1 ? pageHref(query.page - 1) : null}
        next={threads.length > INBOX_PAGE_SIZE ? pageHref(query.page + 1) : null}
      />
    </div>
  );
}
