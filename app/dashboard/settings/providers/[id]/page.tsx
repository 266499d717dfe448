import Link from "next/link";
import { notFound } from "next/navigation";
import { getAiProvider } from "@/lib/agents/providers";
import { getDb } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { assertRole, currentMember } from "@/lib/session";
import { Card } from "@/components/ui/card";
import { SETTINGS_EDITORS } from "../../editors";
import { DeleteProviderButton, EditProviderForm } from "../provider-forms";

/** One provider, for owners and admins to change or delete. */
export default async function ProviderPage({ params }: { params: Promise<{ id: string }> }) {
  const member = await currentMember();
  assertRole(member, SETTINGS_EDITORS);
  const { id } = await params;
  const provider = await getAiProvider(await getDb(), member.orgId, id).catch((error: unknown) => {
    if (error instanceof ApiError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  return (
    <div className="grid gap-6">
      <Link href="/dashboard/settings/providers" className="w-fit text-sm text-accent underline underline-offset-4">
        All providers
      </Link>
      <Card aria-labelledby="provider-heading">
        <h2 id="provider-heading" className="text-lg font-medium">
          {provider.name}
        </h2>
        <p className="mb-4 text-sm text-text-muted">
          {provider.publicId} · {provider.type}
        </p>
        <EditProviderForm
          provider={{
            id: provider.publicId,
            name: provider.name,
            baseUrl: provider.baseUrl,
            defaultModel: provider.defaultModel,
            embeddingModel: provider.embeddingModel,
            hasApiKey: provider.apiKeyCiphertext !== null,
          }}
        />
      </Card>
      <Card aria-labelledby="delete-heading">
        <h2 id="delete-heading" className="mb-2 text-lg font-medium">
          Delete
        </h2>
        <p className="mb-4 text-sm text-text-muted">Agents using this provider must move to another one first.</p>
        <DeleteProviderButton providerId={provider.publicId} name={provider.name} />
      </Card>
    </div>
  );
}
