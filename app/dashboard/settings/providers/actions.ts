"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { CreateProviderForm, DeleteProviderForm, UpdateProviderForm } from "@/lib/agents/provider-forms";
import { createAiProvider, deleteAiProvider, updateAiProvider } from "@/lib/agents/providers";
import type { ActionState } from "@/lib/forms";
import { memberAction } from "@/lib/session/actions";
import { SETTINGS_EDITORS } from "../editors";

/*
 * The services behind /api/v1/ai-providers: the same address guard on base_url, the key
 * encrypted at rest, deletion refused while agents use the provider. Those keys are minted by
 * owners and admins only, so the dashboard admits the same roles.
 */

const PROVIDERS = "/dashboard/settings/providers";

const create = memberAction({ roles: SETTINGS_EDITORS, schema: CreateProviderForm }, async ({ member, db, input }) => {
  const provider = await createAiProvider(db, {
    orgId: member.orgId,
    name: input.name,
    type: input.type,
    baseUrl: input.base_url,
    apiKey: input.api_key,
    defaultModel: input.default_model,
    embeddingModel: input.embedding_model,
  });
  return provider.publicId;
});

export async function createProviderAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  const state = await create(previous, form);
  if (state.ok) revalidatePath(PROVIDERS);
  return state;
}

const update = memberAction({ roles: SETTINGS_EDITORS, schema: UpdateProviderForm }, async ({ member, db, input }) => {
  await updateAiProvider(db, member.orgId, input.provider_id, {
    name: input.name,
    baseUrl: input.base_url,
    apiKey: input.api_key,
    defaultModel: input.default_model,
    embeddingModel: input.embedding_model,
  });
});

export async function updateProviderAction(previous: ActionState<void>, form: FormData): Promise<ActionState<void>> {
  const state = await update(previous, form);
  if (state.ok) revalidatePath(PROVIDERS, "layout");
  return state;
}

const remove = memberAction({ roles: SETTINGS_EDITORS, schema: DeleteProviderForm }, async ({ member, db, input }) => {
  await deleteAiProvider(db, member.orgId, input.provider_id);
});

export async function deleteProviderAction(previous: ActionState<void>, form: FormData): Promise<ActionState<void>> {
  const state = await remove(previous, form);
  if (!state.ok) return state;
  revalidatePath(PROVIDERS);
  redirect(PROVIDERS);
}
