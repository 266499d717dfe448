import type { Metadata } from "next";
import Link from "next/link";
import { listAgentViews } from "@/lib/agents/manage";
import { getDb } from "@/lib/db";
import {
  CONVERSATION_ROLES,
  DOORS,
  parseConversationSearch,
  searchConversations,
  type ConversationSearch,
} from "@/lib/generations/conversations";
import { assertRole, currentMember } from "@/lib/session";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { NativeSelect } from "@/components/ui/native-select";
import { EmptyState, PageHeader } from "@/components/ui/page";
import { Pager } from "@/components/ui/pager";
import { Table, Td, Th } from "@/components/ui/table";
import { doorLabel, formatTime, statusTone } from "./format";

export const metadata: Metadata = { title: "Conversations · Conduit" };

const dayOf = (date: Date | undefined) => date?.toISOString().slice(0, 10) ?? "";

/** The search's filters as a query string, with one page cursor. */
function pageHref(search: ConversationSearch, cursor: { after?: string; before?: string }): string {
  const params = new URLSearchParams();
  if (search.agent) params.set("agent", search.agent);
  if (search.door) params.set("door", search.door);
  if (search.from) params.set("from", dayOf(search.from));
  if (search.to) params.set("to", dayOf(search.to));
  if (search.q) params.set("q", search.q);
  if (cursor.after) params.set("after", cursor.after);
  if (cursor.before) params.set("before", cursor.before);
  return `/dashboard/conversations?${params.toString()}`;
}

export default async function ConversationsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const member = await currentMember();
  assertRole(member, CONVERSATION_ROLES);
  const search = parseConversationSearch(await searchParams);
  const db = await getDb();
  const [page, agents] = [await searchConversations(db, member.orgId, search), await listAgentViews(db, member.orgId)];
  const filtered = Boolean(search.agent || search.door || search.from || search.to || search.q);

  return (
    <div className="grid max-w-6xl gap-6">
      <PageHeader
        title="Conversations"
        description="Every exchange with your agents, newest first. Open one to read its turns and its trace."
      />

      <form
        method="get"
        className="grid gap-4 sm:grid-cols-2 lg:grid-cols-[2fr_1fr_1fr_1fr_1fr_auto] lg:items-end"
        aria-label="Search conversations"
      >
        <Field label="Text" name="q" type="search" defaultValue={search.q ?? ""} placeholder="Words in a message" />
        <NativeSelect
          label="Agent"
          name="agent"
          defaultValue={search.agent ?? ""}
          options={[
            { value: "", label: "All agents" },
            ...agents.map(({ agent }) => ({ value: agent.id, label: agent.name ?? agent.publicId })),
          ]}
        />
        <NativeSelect
          label="Door"
          name="door"
          defaultValue={search.door ?? ""}
          options={[{ value: "", label: "All doors" }, ...DOORS.map((door) => ({ value: door, label: doorLabel(door) }))]}
        />
        <Field label="From (UTC)" name="from" type="date" defaultValue={dayOf(search.from)} />
        <Field label="To (UTC)" name="to" type="date" defaultValue={dayOf(search.to)} />
        <div className="flex gap-2">
          <Button type="submit">Search</Button>
          {filtered ? (
            <Button asChild variant="ghost">
              <Link href="/dashboard/conversations">Clear</Link>
            </Button>
          ) : null}
        </div>
      </form>

      {page.items.length === 0 ? (
        filtered ? (
          <EmptyState title="No conversation matches">Try other words, another agent or door, or a wider date range.</EmptyState>
        ) : (
          <EmptyState title="No conversations yet">
            They appear here as soon as an agent answers a chat, a generate call, a task or a message on a channel.
          </EmptyState>
        )
      ) : (
        <>
          <Table caption="Conversations">
            <thead>
              <tr>
                <Th>When (UTC)</Th>
                <Th>Prompt</Th>
                <Th>Agent</Th>
                <Th>Door</Th>
                <Th>API key</Th>
                <Th>Reply</Th>
                <Th className="text-right">Tokens</Th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((item) => (
                <tr key={item.id}>
                  <Td className="whitespace-nowrap tabular-nums">{formatTime(item.createdAt)}</Td>
                  <Td className="max-w-md">
                    <Link
                      href={`/dashboard/conversations/${item.id}`}
                      className="line-clamp-2 text-accent underline-offset-4 hover:underline"
                    >
                      {item.prompt || "(no text)"}
                    </Link>
                  </Td>
                  <Td>{item.agent.label}</Td>
                  <Td>
                    <Badge>{doorLabel(item.door)}</Badge>
                  </Td>
                  <Td>{item.key ?? "—"}</Td>
                  <Td>{item.status ? <Badge tone={statusTone(item.status)}>{item.status}</Badge> : "—"}</Td>
                  <Td className="text-right tabular-nums">{item.tokens.toLocaleString("en")}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
          <Pager
            label="Conversation pages"
            previous={page.newer ? pageHref(search, { before: page.newer }) : null}
            next={page.older ? pageHref(search, { after: page.older }) : null}
          />
        </>
      )}
    </div>
  );
}
