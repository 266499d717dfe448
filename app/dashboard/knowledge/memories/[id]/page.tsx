import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState, PageHeader } from "@/components/ui/page";
import { Table, Td, Th } from "@/components/ui/table";
import { ANY_MEMBER, OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import { getDb } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { getMemory, listMemoryEntries } from "@/lib/knowledge";
import { currentMember, roleRefusal } from "@/lib/session";
import { AddMemoryEntry, DeleteMemory, DeleteMemoryEntry } from "../../knowledge-forms";

export const metadata: Metadata = { title: "Memory · Conduit" };

export default async function MemoryPage({ params }: { params: Promise<{ id: string }> }) {
  const member = await currentMember();
  if (roleRefusal(member, ANY_MEMBER)) notFound();
  const { id } = await params;
  const db = await getDb();
  const memory = await getMemory(db, member.orgId, id, null).catch((error: unknown) => {
    if (error instanceof ApiError && error.status === 404) notFound();
    throw error;
  });
  const entries = await listMemoryEntries(db, memory);
  const canChange = roleRefusal(member, OWNERS_AND_ADMINS) === null;
  return (
    <div className="grid max-w-6xl gap-6">
      <PageHeader
        title={memory.name}
        description={memory.description ?? `Memory ${memory.publicId}: name it in an agent's knowledge (memory_ids or write_memory_id).`}
        actions={canChange ? <DeleteMemory id={memory.publicId} name={memory.name} /> : null}
      />
      <p className="text-sm">
        <Link href="/dashboard/knowledge" className="text-accent underline underline-offset-4">
          All knowledge
        </Link>{" "}
        · <code className="font-mono text-xs">{memory.publicId}</code>
      </p>
      {canChange ? (
        <Card className="grid gap-4">
          <h2 className="font-medium">Add an entry</h2>
          <AddMemoryEntry memoryId={memory.publicId} />
        </Card>
      ) : null}
      {entries.length === 0 ? (
        <EmptyState title="No entries yet.">Entries added here, or by agents through write_memory, show up here.</EmptyState>
      ) : (
        <Table caption="Entries, newest first">
          <thead>
            <tr>
              <Th>Entry</Th>
              <Th>Tags</Th>
              <Th>Added</Th>
              {canChange ? <Th>Actions</Th> : null}
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id} data-testid="memory-entry">
                <Td className="text-sm whitespace-pre-wrap">{entry.content}</Td>
                <Td>
                  <div className="flex flex-wrap gap-1">
                    {entry.tags.map((tag) => (
                      <Badge key={tag}>{tag}</Badge>
                    ))}
                  </div>
                </Td>
                <Td className="whitespace-nowrap">
                  <DateTime value={entry.createdAt} />
                  {entry.generationId ? <span className="block text-xs text-text-muted">by run {entry.generationId}</span> : null}
                </Td>
                {canChange ? (
                  <Td>
                    <DeleteMemoryEntry memoryId={memory.publicId} entryId={entry.publicId} />
                  </Td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}
