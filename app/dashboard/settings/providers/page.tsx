import Link from "next/link";
import { z } from "zod";
import { listAiProviders } from "@/lib/agents/providers";
import { ANY_MEMBER } from "@/lib/auth/user-tokens";
import { getDb } from "@/lib/db";
import { currentMember } from "@/lib/session";
import { Badge } from "@/components/ui/badge";
import { Card, Notice } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/page";
import { Pager } from "@/components/ui/pager";
import { Table, Td, Th } from "@/components/ui/table";
import { canEditSettings } from "../editors";
import { CreateProviderFormCard } from "./provider-forms";

const PAGE_SIZE = 50;
const Query = z.object({ page: z.coerce.number().int().min(1).max(10_000).catch(1) });

/** The organisation's AI providers: members who use agents see them, owners and admins change them. */
export default async function ProvidersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const member = await currentMember();
  // Reviewers use no agents, as on the API; a notice says so rather than an error page.
  if (!(ANY_MEMBER as readonly string[]).includes(member.role)) {
    return <Notice>AI providers are for the members who build agents; your role is {member.role}.</Notice>;
  }
  const { page } = Query.parse({ page: (await searchParams).page });
  const providers = await listAiProviders(await getDb(), member.orgId, { limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE });
  const editable = canEditSettings(member.role);
  const href = (to: number) => `/dashboard/settings/providers${to > 1 ? `?page=${to}` : ""}`;

  return (
    <div className="grid gap-6">
      <section className="grid gap-3" aria-labelledby="providers-heading">
        <h2 id="providers-heading" className="text-lg font-medium">
          AI providers
        </h2>
        <p className="text-sm text-text-muted">
          Where agents send their model calls. API keys are stored encrypted and never shown again: the list says only whether one is set.
          {editable ? null : ` Owners and admins change providers; your role is ${member.role}.`}
        </p>
        {providers.length === 0 ? (
          <EmptyState title={page > 1 ? "No more providers." : "No AI providers yet."}>
            {page > 1 ? null : "Agents use this deployment's model until you add one (in byok billing mode, each agent needs one)."}
          </EmptyState>
        ) : (
          <Table caption="AI providers">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Type</Th>
                <Th>Base URL</Th>
                <Th>Default model</Th>
                <Th>API key</Th>
              </tr>
            </thead>
            <tbody>
              {providers.slice(0, PAGE_SIZE).map((provider) => (
                <tr key={provider.publicId} data-testid="provider-row">
                  <Td>
                    {editable ? (
                      <Link
                        href={`/dashboard/settings/providers/${provider.publicId}`}
                        className="text-accent underline underline-offset-4"
                      >
                        {provider.name}
                      </Link>
                    ) : (
                      provider.name
                    )}
                    <div className="text-xs text-text-muted">{provider.publicId}</div>
                  </Td>
                  <Td>{provider.type}</Td>
                  <Td className="break-all">{provider.baseUrl ?? <span className="text-text-muted">—</span>}</Td>
                  <Td>{provider.defaultModel ?? <span className="text-text-muted">—</span>}</Td>
                  <Td>
                    <Badge tone={provider.apiKeyCiphertext ? "good" : "neutral"}>{provider.apiKeyCiphertext ? "set" : "not set"}</Badge>
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        <Pager
          label="Provider pages"
          previous={page > 1 ? href(page - 1) : null}
          next={providers.length > PAGE_SIZE ? href(page + 1) : null}
        />
      </section>
      {editable ? (
        <Card aria-labelledby="new-provider-heading">
          <h2 id="new-provider-heading" className="mb-4 text-lg font-medium">
            Add a provider
          </h2>
          <CreateProviderFormCard />
        </Card>
      ) : null}
    </div>
  );
}
