"use client";

import { OrganisationForm } from "@/lib/orgs/schemas";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { useActionForm } from "@/components/ui/use-action-form";
import { updateOrganisationAction } from "./actions";

interface Values {
  name: string;
  apiChannelEnabled: boolean;
  billingMode: "hosted" | "byok";
  monthlyMessageLimit: number | null;
  monthlyTokenLimit: number | null;
}

const BILLING_MODES = [
  { value: "hosted", label: "Hosted", hint: "Agents without a provider of their own use this deployment's model." },
  { value: "byok", label: "Bring your own key", hint: "Every agent needs one of the organisation's AI providers." },
] as const;

/**
 * Shown to every role; for those who may not change it the fields are disabled, and the server
 * refuses the post anyway if someone enables them.
 */
export function OrganisationSettingsForm({ values, editable, role }: { values: Values; editable: boolean; role: string }) {
  const { state, errors, formAction, onSubmit, pending } = useActionForm(updateOrganisationAction, OrganisationForm);
  const typed = state.ok ? undefined : state.values;
  const limit = (value: number | null) => (value === null ? "" : String(value));
  return (
    <form action={formAction} onSubmit={onSubmit} noValidate aria-label="Organisation settings">
      <fieldset disabled={!editable || pending} className="grid gap-5">
        {!editable ? <Notice>Only owners and admins change these settings; your role is {role}.</Notice> : null}
        {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
        {state.ok ? <Notice>Saved.</Notice> : null}
        <Field name="name" label="Name" defaultValue={typed?.name ?? values.name} error={errors.name} required maxLength={200} />

        <div className="grid gap-1.5">
          <div className="flex items-center gap-2">
            <input
              id="api_channel_enabled"
              name="api_channel_enabled"
              type="checkbox"
              defaultChecked={typed ? typed.api_channel_enabled === "on" : values.apiChannelEnabled}
              aria-describedby="api_channel_enabled-hint"
              className="size-4 accent-accent"
            />
            <label htmlFor="api_channel_enabled" className="text-sm font-medium">
              API channel enabled
            </label>
          </div>
          <p id="api_channel_enabled-hint" className="text-sm text-text-muted">
            When off, every call with an API key answers 403 <code>CHANNEL_DISABLED</code>, and queued work fails without calling a model.
            The dashboard keeps working.
          </p>
        </div>

        <fieldset className="grid gap-2" aria-describedby={errors.billing_mode ? "billing_mode-error" : undefined}>
          <legend className="mb-1 text-sm font-medium">Billing mode</legend>
          {BILLING_MODES.map((mode) => (
            <div key={mode.value} className="flex items-start gap-2">
              <input
                id={`billing_mode-${mode.value}`}
                name="billing_mode"
                type="radio"
                value={mode.value}
                defaultChecked={(typed?.billing_mode ?? values.billingMode) === mode.value}
                aria-describedby={`billing_mode-${mode.value}-hint`}
                className="mt-1 size-4 accent-accent"
              />
              <div>
                <label htmlFor={`billing_mode-${mode.value}`} className="text-sm font-medium">
                  {mode.label} <code className="text-text-muted">({mode.value})</code>
                </label>
                <p id={`billing_mode-${mode.value}-hint`} className="text-sm text-text-muted">
                  {mode.hint}
                </p>
              </div>
            </div>
          ))}
          {errors.billing_mode ? (
            <p id="billing_mode-error" className="text-sm text-danger">
              {errors.billing_mode}
            </p>
          ) : null}
        </fieldset>

        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            name="monthly_message_limit"
            label="Monthly message limit (empty: none)"
            inputMode="numeric"
            defaultValue={typed?.monthly_message_limit ?? limit(values.monthlyMessageLimit)}
            error={errors.monthly_message_limit}
          />
          <Field
            name="monthly_token_limit"
            label="Monthly token limit (empty: none)"
            inputMode="numeric"
            defaultValue={typed?.monthly_token_limit ?? limit(values.monthlyTokenLimit)}
            error={errors.monthly_token_limit}
          />
        </div>

        <Button type="submit" className="w-fit">
          {pending ? "Saving…" : "Save"}
        </Button>
      </fieldset>
    </form>
  );
}
