import type { Metadata } from "next";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState, PageHeader } from "@/components/ui/page";
import { Pager } from "@/components/ui/pager";
import { Table, Td, Th } from "@/components/ui/table";
import { pageOfPersonalTokens } from "@/lib/auth/personal-tokens";
import type { UserToken } from "@/lib/db";
import { getDb } from "@/lib/db";
import { pageLinks, pageParam } from "@/lib/forms/page-param";
import { now } from "@/lib/runtime/clock";
import { currentMember } from "@/lib/session";
import { CreateToken, RevokeToken } from "./token-forms";

export const metadata: Metadata = { title: "Personal access tokens · Conduit" };

function TokenStatus({ token, at }: { token: UserToken; at: Date }) {
  if (token.revokedAt) return <Badge tone="bad">Revoked</Badge>;
  if (token.expiresAt && token.expiresAt.getTime() <= at.getTime()) return <Badge tone="warn">Expired</Badge>;
  return <Badge tone="good">Active</Badge>;
}

export default async function TokensPage({ searchParams }: { searchParams: Promise<{ page?: string | string[] }> }) {
  const member = await currentMember();
  const { page, limit, offset } = pageParam((await searchParams).page);
  const { tokens, hasMore } = await pageOfPersonalTokens(await getDb(), member, { limit, offset });
  const links = pageLinks("/dashboard/tokens", page, hasMore);
  const at = now();
  return (
    <div className="grid max-w-6xl gap-6">
      <PageHeader
        title="Personal access tokens"
        description={`Tokens that act as you in ${member.orgName} (as ${member.role}) on the admin API and the task gateway. Only you see them.`}
      />
      <Card className="grid gap-4">
        <h2 className="font-medium">New token</h2>
        <CreateToken />
      </Card>
      {tokens.length === 0 ? (
        <EmptyState title={page > 1 ? "No more tokens." : "No personal access tokens yet."}>
          Create one above to call the API as yourself; it is shown once.
        </EmptyState>
      ) : (
        <Table caption="Your personal access tokens">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Token</Th>
              <Th>Status</Th>
              <Th>Created</Th>
              <Th>Last used</Th>
              <Th>Expires</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr key={token.id}>
                <Td className="font-medium">{token.name}</Td>
                <Td className="font-mono text-xs whitespace-nowrap">
                  {token.start}…{token.last4 ?? ""}
                </Td>
                <Td>
                  <TokenStatus token={token} at={at} />
                  {token.revokedAt ? (
                    <span className="block text-xs text-text-muted">
                      <DateTime value={token.revokedAt} />
                    </span>
                  ) : null}
                </Td>
                <Td className="whitespace-nowrap">
                  <DateTime value={token.createdAt} />
                </Td>
                <Td className="whitespace-nowrap">
                  <DateTime value={token.lastUsedAt} empty="Never" />
                </Td>
                <Td className="whitespace-nowrap">
                  <DateTime value={token.expiresAt} empty="Never" />
                </Td>
                <Td>{token.revokedAt ? null : <RevokeToken tokenId={token.publicId} name={token.name} />}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <Pager previous={links.previous} next={links.next} label="Token pages" />
    </div>
  );
}
