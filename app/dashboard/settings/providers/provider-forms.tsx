"use client";

import { useState } from "react";
import { CreateProviderForm, DeleteProviderForm, UpdateProviderForm } from "@/lib/agents/provider-forms";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { NativeSelect } from "@/components/ui/native-select";
import { useActionForm } from "@/components/ui/use-action-form";
import { createProviderAction, deleteProviderAction, updateProviderAction } from "./actions";

const TYPES = [
  { value: "openai_compatible", label: "OpenAI-compatible (base URL and key)" },
  { value: "demo", label: "Demo (offline, no key)" },
];

export function CreateProviderFormCard() {
  const { state, errors, formAction, onSubmit, pending } = useActionForm(createProviderAction, CreateProviderForm);
  const typed = state.ok ? undefined : state.values;
  return (
    <form action={formAction} onSubmit={onSubmit} noValidate className="grid gap-4" aria-label="Add a provider">
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      {state.ok ? <Notice>Provider {state.result} added.</Notice> : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="name" label="Name" defaultValue={typed?.name} error={errors.name} required maxLength={200} />
        <NativeSelect name="type" label="Type" options={TYPES} defaultValue={typed?.type ?? "openai_compatible"} />
        <Field
          name="base_url"
          label="Base URL"
          type="url"
          placeholder="https://api.openai.com/v1"
          defaultValue={typed?.base_url}
          error={errors.base_url}
        />
        <Field
          name="default_model"
          label="Default model"
          placeholder="gpt-4o-mini"
          defaultValue={typed?.default_model}
          error={errors.default_model}
        />
        <Field
          name="embedding_model"
          label="Embedding model (for knowledge search by meaning)"
          placeholder="text-embedding-3-small"
          defaultValue={typed?.embedding_model}
          error={errors.embedding_model}
        />
        <Field name="api_key" label="API key (stored encrypted, never shown)" type="password" autoComplete="off" error={errors.api_key} />
      </div>
      <Button type="submit" className="w-fit" disabled={pending}>
        {pending ? "Adding…" : "Add provider"}
      </Button>
    </form>
  );
}

export interface ProviderValues {
  id: string;
  name: string;
  baseUrl: string | null;
  defaultModel: string | null;
  embeddingModel: string | null;
  hasApiKey: boolean;
}

/** The key box is always empty: leaving it blank keeps the stored key. */
export function EditProviderForm({ provider }: { provider: ProviderValues }) {
  const { state, errors, formAction, onSubmit, pending } = useActionForm(updateProviderAction, UpdateProviderForm);
  const typed = state.ok ? undefined : state.values;
  return (
    <form action={formAction} onSubmit={onSubmit} noValidate className="grid gap-4" aria-label="Edit the provider">
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      {state.ok ? <Notice>Saved.</Notice> : null}
      <input type="hidden" name="provider_id" value={provider.id} />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="name" label="Name" defaultValue={typed?.name ?? provider.name} error={errors.name} required maxLength={200} />
        <Field
          name="base_url"
          label="Base URL (empty: none)"
          type="url"
          defaultValue={typed?.base_url ?? provider.baseUrl ?? ""}
          error={errors.base_url}
        />
        <Field
          name="default_model"
          label="Default model (empty: none)"
          defaultValue={typed?.default_model ?? provider.defaultModel ?? ""}
          error={errors.default_model}
        />
        <Field
          name="embedding_model"
          label="Embedding model (empty: none)"
          defaultValue={typed?.embedding_model ?? provider.embeddingModel ?? ""}
          error={errors.embedding_model}
        />
        <Field
          name="api_key"
          label={`New API key (${provider.hasApiKey ? "a key is set; blank keeps it" : "none set"})`}
          type="password"
          autoComplete="off"
          error={errors.api_key}
        />
      </div>
      {provider.hasApiKey ? (
        <div className="flex items-center gap-2">
          <input id="clear_api_key" name="clear_api_key" type="checkbox" className="size-4 accent-accent" />
          <label htmlFor="clear_api_key" className="text-sm">
            Remove the stored API key
          </label>
        </div>
      ) : null}
      <Button type="submit" className="w-fit" disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </Button>
    </form>
  );
}

/** Deleting asks once more; the server refuses while agents still use the provider. */
export function DeleteProviderButton({ providerId, name }: { providerId: string; name: string }) {
  const { errors, formAction, onSubmit, pending } = useActionForm(deleteProviderAction, DeleteProviderForm);
  const [confirming, setConfirming] = useState(false);
  return (
    <div className="grid gap-2">
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      {confirming ? (
        <form action={formAction} onSubmit={onSubmit} className="flex flex-wrap gap-2">
          <input type="hidden" name="provider_id" value={providerId} />
          <Button type="submit" variant="danger" disabled={pending}>
            Delete {name}
          </Button>
          <Button type="button" variant="ghost" onClick={() => setConfirming(false)}>
            Cancel
          </Button>
        </form>
      ) : (
        <Button type="button" variant="secondary" className="w-fit" onClick={() => setConfirming(true)}>
          Delete provider
        </Button>
      )}
    </div>
  );
}
