"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { ConfirmedAction } from "@/components/ui/confirmed-action";
import { Field } from "@/components/ui/field";
import { NativeSelect } from "@/components/ui/native-select";
import { SecretNotice } from "@/components/ui/secret-notice";
import { useActionForm } from "@/components/ui/use-action-form";
import { CHANNEL_LABELS } from "@/lib/channels/labels";
import { CHANNEL_TYPES, isMetaChannel, type ChannelType } from "@/lib/channels/types";
import type { FieldErrors } from "@/lib/forms";
import { connectChannelAction, deleteChannelAction, replaceChannelCredentialsAction, setChannelEnabledAction } from "./channel-actions";
import { ConnectChannelForm as ConnectChannelSchema, ReplaceCredentialsForm as ReplaceCredentialsSchema } from "./channel-schemas";

const isChannelType = (value: string | undefined): value is ChannelType => (CHANNEL_TYPES as readonly string[]).includes(value ?? "");

/**
 * The fields a channel type needs. `replacing`: every field is optional and write-only (empty
 * keeps the current value); `idPrefix` keeps ids unique when the page shows the form per connection.
 */
function TypeFields({
  type,
  errors,
  values,
  idPrefix,
  replacing,
}: {
  type: ChannelType;
  errors: FieldErrors;
  /** What was typed before a refusal; secrets are never among them. */
  values: Record<string, string> | undefined;
  idPrefix: string;
  replacing: boolean;
}) {
  const id = (name: string) => `${idPrefix}-${name}`;
  const keep = replacing ? "Leave empty to keep the current value" : undefined;
  // Credentials are write-only: never echoed back, and never filled in by the browser.
  const secret = (name: string, label: string) => (
    <Field
      id={id(name)}
      name={name}
      label={label}
      type="password"
      autoComplete="off"
      placeholder={keep}
      error={errors[`credentials.${name}`]}
    />
  );
  if (isMetaChannel(type)) {
    return (
      <fieldset className="grid gap-4 sm:grid-cols-3">
        <legend className="mb-2 text-sm text-text-muted sm:col-span-3">
          From your Meta app: its app secret (App settings → Basic), a verify token you make up (you enter it again in the webhook
          settings), and an access token that may send messages (a system user, Page or Instagram token).
        </legend>
        {secret("app_secret", "App secret")}
        {secret("verify_token", "Verify token")}
        {secret("access_token", "Access token")}
      </fieldset>
    );
  }
  if (type === "twilio") {
    return (
      <fieldset className="grid gap-4 sm:grid-cols-2">
        <legend className="mb-2 text-sm text-text-muted sm:col-span-2">
          From the Twilio console: the account SID and auth token. The token checks Twilio&apos;s signatures and sends the replies.
        </legend>
        <Field
          id={id("account_sid")}
          name="account_sid"
          defaultValue={values?.account_sid ?? ""}
          label="Account SID"
          autoComplete="off"
          spellCheck={false}
          placeholder={replacing ? keep : "AC…"}
          error={errors["credentials.account_sid"]}
        />
        {secret("auth_token", "Auth token")}
      </fieldset>
    );
  }
  return (
    <fieldset className="grid gap-4 sm:grid-cols-2">
      <legend className="mb-2 text-sm text-text-muted sm:col-span-2">
        {replacing
          ? "Where replies come from, and the inbox secret your mail service authenticates with (at least 24 letters, digits, - or _)."
          : "Where replies come from. Conduit generates the inbox secret your mail service authenticates with, and shows it once."}
      </legend>
      <Field
        id={id("from_address")}
        name="from_address"
        defaultValue={values?.from_address ?? ""}
        label="From address"
        type="email"
        autoComplete="off"
        placeholder={keep ?? "support@example.com"}
        error={errors["settings.from_address"]}
      />
      <Field
        id={id("from_name")}
        name="from_name"
        defaultValue={values?.from_name ?? ""}
        label="From name (optional)"
        autoComplete="off"
        placeholder={keep}
        error={errors["settings.from_name"]}
      />
      {replacing ? secret("inbox_secret", "Inbox secret") : null}
    </fieldset>
  );
}

/** Connects the agent to a channel: one form whose credential fields follow the chosen type. */
export function ConnectChannel({ agentId, keys }: { agentId: string; keys: Array<{ id: string; name: string }> }) {
  const { state, errors, formAction, onSubmit, pending } = useActionForm(connectChannelAction, ConnectChannelSchema);
  const [type, setType] = useState<ChannelType>(isChannelType(state.values?.type) ? state.values.type : "whatsapp");
  const connected = state.ok ? state.result : undefined;
  return (
    <div className="grid gap-4">
      {connected ? (
        <Notice>Connected “{connected.name}”: its callback URL and how to set it up with the vendor are listed above.</Notice>
      ) : null}
      {connected?.inboxSecret ? (
        <SecretNotice
          title={`Inbox secret of “${connected.name}”`}
          secrets={[{ label: "Inbox secret", value: connected.inboxSecret, copyLabel: "Copy inbox secret", testId: "inbox-secret" }]}
        />
      ) : null}
      <form action={formAction} onSubmit={onSubmit} noValidate className="grid gap-4" aria-label="Connect a channel">
        <input type="hidden" name="agent_id" value={agentId} />
        <div className="grid gap-4 sm:grid-cols-2">
          <NativeSelect
            label="Channel"
            name="type"
            value={type}
            onChange={(event) => setType(event.target.value as ChannelType)}
            options={CHANNEL_TYPES.map((value) => ({ value, label: CHANNEL_LABELS[value] }))}
            aria-invalid={errors.type ? true : undefined}
          />
          <Field
            id="channel-name"
            name="name"
            label="Name (optional)"
            placeholder={CHANNEL_LABELS[type]}
            defaultValue={state.values?.name ?? ""}
            maxLength={200}
            error={errors.name}
          />
        </div>
        {errors.type ? <p className="text-sm text-danger">{errors.type}</p> : null}
        <NativeSelect
          label="Paid by"
          name="api_key_id"
          defaultValue={state.values?.api_key_id ?? ""}
          options={[
            { value: "", label: "The organisation's plan (no key budget)" },
            ...keys.map((key) => ({ value: key.id, label: `API key “${key.name}” (its budget, expiry and revocation apply)` })),
          ]}
          aria-invalid={errors.api_key_id ? true : undefined}
        />
        {errors.api_key_id ? <p className="text-sm text-danger">{errors.api_key_id}</p> : null}
        <TypeFields key={type} type={type} errors={errors} values={state.values} idPrefix="connect" replacing={false} />
        {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
        <Button type="submit" disabled={pending} className="w-fit">
          {pending ? "Connecting…" : "Connect channel"}
        </Button>
      </form>
    </div>
  );
}

export interface ChannelControlsProps {
  id: string;
  name: string;
  type: ChannelType;
  enabled: boolean;
}

function EnableToggle({ id, name, enabled }: ChannelControlsProps) {
  const { errors, formAction, pending } = useActionForm(setChannelEnabledAction);
  const [verb, pendingLabel] = enabled ? ["Disable", "Disabling…"] : ["Enable", "Enabling…"];
  return (
    <form action={formAction} className="grid gap-1">
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="enabled" value={enabled ? "false" : "true"} />
      <Button type="submit" variant="secondary" size="sm" disabled={pending} aria-label={`${verb} ${name}`}>
        {pending ? pendingLabel : verb}
      </Button>
      {errors.form ? (
        <p role="alert" className="text-xs text-danger">
          {errors.form}
        </p>
      ) : null}
    </form>
  );
}

function ReplaceCredentials({ id, name, type }: ChannelControlsProps) {
  const { state, errors, formAction, onSubmit, pending } = useActionForm(replaceChannelCredentialsAction, ReplaceCredentialsSchema);
  return (
    <details className="rounded-md border border-border p-3">
      <summary className="cursor-pointer text-sm font-medium">Replace credentials of {name}</summary>
      <form action={formAction} onSubmit={onSubmit} noValidate className="mt-3 grid gap-4">
        <input type="hidden" name="id" value={id} />
        <input type="hidden" name="type" value={type} />
        <TypeFields type={type} errors={errors} values={state.values} idPrefix={id} replacing />
        {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
        {state.ok ? <Notice>Saved. The connection uses the new values from now on.</Notice> : null}
        <Button type="submit" variant="secondary" disabled={pending} className="w-fit">
          {pending ? "Saving…" : "Save credentials"}
        </Button>
      </form>
    </details>
  );
}

function DeleteChannel({ id, name }: ChannelControlsProps) {
  return (
    <ConfirmedAction<string>
      id={id}
      action={deleteChannelAction}
      trigger={
        <Button type="button" variant="danger" size="sm" aria-label={`Delete ${name}`}>
          Delete
        </Button>
      }
      title={`Delete ${name}?`}
      description="Its callback URL answers 404 from now on, and its contacts and message log are deleted. The conversations stay in the record. This cannot be undone."
      confirmLabel="Delete"
      pendingLabel="Deleting…"
    />
  );
}

/** What owners and admins may do to a connection: switch it off and on, replace its credentials, delete it. */
export function ChannelControls(props: ChannelControlsProps) {
  return (
    <div className="grid gap-3">
      <div className="flex flex-wrap gap-2">
        <EnableToggle {...props} />
        <DeleteChannel {...props} />
      </div>
      <ReplaceCredentials {...props} />
    </div>
  );
}
