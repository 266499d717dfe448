import type { Metadata } from "next";
import Link from "next/link";
import { Card, Notice } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { Field } from "@/components/ui/field";
import { EmptyState, PageHeader } from "@/components/ui/page";
import { Table, Td, Th } from "@/components/ui/table";
import { Button } from "@/components/ui/button";
import { SearchDocumentsRequest, SearchMemoriesRequest } from "@/lib/agents-api/schemas";
import { ANY_MEMBER, OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import { getDb, type Db } from "@/lib/db";
import {
  listDocuments,
  listMemories,
  passageCounts,
  searchDocuments,
  searchMemories,
  serializePassage,
  type DocumentPassages,
} from "@/lib/knowledge";
import { currentMember, roleRefusal } from "@/lib/session";
import { CreateMemory, DeleteDocument, UploadDocument } from "./knowledge-forms";

export const metadata: Metadata = { title: "Knowledge · Conduit" };

/** Documents' passages and memories' entries for a query, best first, as the search endpoints rank them. */
async function searchAll(db: Db, orgId: string, query: string) {
  const documents = SearchDocumentsRequest.safeParse({ query, limit: 10 });
  const memories = SearchMemoriesRequest.safeParse({ query, limit: 10 });
  if (!documents.success || !memories.success) return null;
  const [found, remembered] = await Promise.all([
    searchDocuments(db, orgId, documents.data, null, null),
    searchMemories(db, orgId, memories.data, null, null),
  ]);
  const passages = [...found.passages, ...remembered.passages];
  return passages.sort((a, b) => b.score - a.score).map(serializePassage);
}

/**
 * Whether a document is found by meaning as well as by words: how many of its passages the
 * organisation's embedding model has embedded (the rest are being embedded in the background).
 */
function EmbeddedPassages({ counts }: { counts: DocumentPassages | undefined }) {
  if (!counts || counts.embedded === null) return <span className="text-text-muted">Words only</span>;
  return (
    <span title="Passages embedded by the organisation's embedding model">
      {counts.embedded} of {counts.passages}
    </span>
  );
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export default async function KnowledgePage({ searchParams }: { searchParams: Promise<{ q?: string | string[] }> }) {
  const member = await currentMember();
  const header = (
    <PageHeader
      title="Knowledge"
      description={`${member.orgName}'s documents and memories: agents whose knowledge names them get the passages that best match each question.`}
    />
  );
  if (roleRefusal(member, ANY_MEMBER)) {
    return (
      <div className="grid max-w-6xl gap-6">
        {header}
        <Notice>Reviewers review threads; knowledge is for the organisation&apos;s other members.</Notice>
      </div>
    );
  }
  const db = await getDb();
  const queryParam = (await searchParams).q;
  const query = typeof queryParam === "string" ? queryParam.trim() : "";
  const [documents, memories, results] = await Promise.all([
    listDocuments(db, member.orgId, null),
    listMemories(db, member.orgId, null),
    query ? searchAll(db, member.orgId, query) : Promise.resolve(null),
  ]);
  const passages = await passageCounts(db, member.orgId, documents);
  const canChange = roleRefusal(member, OWNERS_AND_ADMINS) === null;
  return (
    <div className="grid max-w-6xl gap-6">
      {header}

      <Card className="grid gap-4">
        <h2 className="font-medium">Search</h2>
        <form method="get" role="search" aria-label="Knowledge" className="flex flex-wrap items-end gap-3">
          <div className="min-w-64 flex-1">
            <Field name="q" label="Query" type="search" defaultValue={query} maxLength={2000} />
          </div>
          <Button type="submit" variant="secondary">
            Search
          </Button>
        </form>
        {results === null ? null : results.length === 0 ? (
          <p className="text-sm text-text-muted">Nothing matches {`"${query}"`}.</p>
        ) : (
          <Table caption={`Passages matching "${query}"`}>
            <thead>
              <tr>
                <Th>Score</Th>
                <Th>Source</Th>
                <Th>Passage</Th>
              </tr>
            </thead>
            <tbody>
              {results.map((passage) => (
                <tr key={passage.chunk_id} data-testid="passage">
                  <Td className="font-mono text-xs whitespace-nowrap">{passage.score.toFixed(2)}</Td>
                  <Td className="break-all">
                    {passage.memory_id ? (
                      <Link
                        href={`/dashboard/knowledge/memories/${passage.memory_id}`}
                        className="text-accent underline underline-offset-4"
                      >
                        {passage.citation}
                      </Link>
                    ) : (
                      passage.citation
                    )}
                    {passage.tags?.length ? <span className="block text-xs text-text-muted">{passage.tags.join(", ")}</span> : null}
                  </Td>
                  <Td className="text-sm whitespace-pre-wrap">{passage.content}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>

      <h2 className="text-lg font-semibold">Documents</h2>
      {canChange ? (
        <Card className="grid gap-4">
          <h3 className="font-medium">Upload a document</h3>
          <UploadDocument />
        </Card>
      ) : null}
      {documents.length === 0 ? (
        <EmptyState title="No documents yet.">
          {canChange ? "Upload one above; it is searchable at once." : "Owners and admins upload documents."}
        </EmptyState>
      ) : (
        <Table caption="Documents">
          <thead>
            <tr>
              <Th>Path</Th>
              <Th>Type</Th>
              <Th>Size</Th>
              <Th>Passages</Th>
              <Th>By meaning</Th>
              <Th>Updated</Th>
              {canChange ? <Th>Actions</Th> : null}
            </tr>
          </thead>
          <tbody>
            {documents.map((document) => (
              <tr key={document.id} data-testid="document">
                <Td className="font-medium break-all">{document.path}</Td>
                <Td className="font-mono text-xs">{document.contentType}</Td>
                <Td className="whitespace-nowrap">{formatBytes(document.bytes)}</Td>
                <Td>{passages.get(document.id)?.passages ?? 0}</Td>
                <Td className="whitespace-nowrap">
                  <EmbeddedPassages counts={passages.get(document.id)} />
                </Td>
                <Td className="whitespace-nowrap">
                  <DateTime value={document.updatedAt} />
                </Td>
                {canChange ? (
                  <Td>
                    <DeleteDocument id={document.publicId} path={document.path} />
                  </Td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </Table>
      )}

      <h2 className="text-lg font-semibold">Memories</h2>
      {canChange ? (
        <Card className="grid gap-4">
          <h3 className="font-medium">New memory</h3>
          <CreateMemory />
        </Card>
      ) : null}
      {memories.length === 0 ? (
        <EmptyState title="No memories yet.">
          {canChange ? "Create one above, then add entries to it." : "Owners and admins create memories."}
        </EmptyState>
      ) : (
        <Table caption="Memories">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Description</Th>
              <Th>Id</Th>
              <Th>Created</Th>
            </tr>
          </thead>
          <tbody>
            {memories.map((memory) => (
              <tr key={memory.id}>
                <Td>
                  <Link
                    href={`/dashboard/knowledge/memories/${memory.publicId}`}
                    className="font-medium text-accent underline underline-offset-4"
                  >
                    {memory.name}
                  </Link>
                </Td>
                <Td>{memory.description}</Td>
                <Td className="font-mono text-xs">{memory.publicId}</Td>
                <Td className="whitespace-nowrap">
                  <DateTime value={memory.createdAt} />
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}
