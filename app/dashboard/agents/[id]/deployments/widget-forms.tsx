"use client";

import { Label } from "radix-ui";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { ConfirmedAction } from "@/components/ui/confirmed-action";
import { CopyButton } from "@/components/ui/copy-button";
import { Field } from "@/components/ui/field";
import { SecretNotice } from "@/components/ui/secret-notice";
import { Textarea } from "@/components/ui/textarea";
import { useActionForm } from "@/components/ui/use-action-form";
import type { WidgetAppearance } from "@/lib/db";
import type { FieldErrors } from "@/lib/forms";
import { LAUNCHER_ICONS } from "@/lib/widget/schemas";
import { widgetCspDirectives, widgetScriptTag } from "@/lib/widget/snippet";
import { createWidgetKeyAction, revokeWidgetKeyAction, updateWidgetKeyAction, type CreatedWidgetKey } from "./widget-actions";
import { IdentitySigningExample } from "./widget-identity";
import { WidgetPreview } from "./widget-preview";
import { CreateWidgetKeyForm as CreateWidgetKeySchema, UpdateWidgetKeyForm as UpdateWidgetKeySchema } from "./widget-schemas";

/** A widget key as its forms show it: no hash, the appearance with its defaults filled in. */
export interface WidgetKeySettings {
  id: string;
  name: string;
  allowedOrigins: string[];
  appearance: Required<WidgetAppearance>;
  dailyMessageCap: number;
}

const NEW_KEY_DEFAULTS: Omit<WidgetKeySettings, "id" | "name"> = {
  allowedOrigins: [],
  appearance: {
    color: "#4f46e5",
    position: "right",
    greeting: "Hi! How can I help?",
    placeholder: "Type a message…",
    branding: true,
    launcher_icon: "chat",
    launcher_label: "",
  },
  dailyMessageCap: 1000,
};

const LAUNCHER_ICON_NAMES: Record<(typeof LAUNCHER_ICONS)[number], string> = {
  chat: "Chat bubble",
  message: "Round bubble",
  help: "Question mark",
  sparkles: "Sparkles",
};

/**
 * The fields both widget key forms share, filled in with `current` (or what was typed before a
 * refusal); `idPrefix` keeps ids unique when the page shows the form once per key. With
 * `agentName`, a live preview of the look follows the fields.
 */
function WidgetKeyFields({
  current,
  errors,
  values,
  idPrefix,
  agentName,
}: {
  current: Omit<WidgetKeySettings, "id">;
  errors: FieldErrors;
  values: Record<string, string> | undefined;
  idPrefix: string;
  agentName?: string;
}) {
  const id = (name: string) => `${idPrefix}-${name}`;
  const originsError = errors.allowed_origins ?? Object.entries(errors).find(([field]) => field.startsWith("allowed_origins."))?.[1];
  const position = values?.position ?? current.appearance.position;
  const launcherIcon = values?.launcher_icon ?? current.appearance.launcher_icon;
  // After a refusal the browser's form is rebuilt from `values`; an unticked checkbox sends nothing.
  const branding = values ? values.branding !== undefined : current.appearance.branding;
  return (
    <div className="grid gap-4">
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          id={id("name")}
          name="name"
          label={current.name ? "Name" : "Name (optional)"}
          defaultValue={values?.name ?? current.name}
          maxLength={200}
          error={errors.name}
        />
        <Field
          id={id("daily_message_cap")}
          name="daily_message_cap"
          label="Daily message cap"
          inputMode="numeric"
          defaultValue={values?.daily_message_cap ?? String(current.dailyMessageCap)}
          error={errors.daily_message_cap}
        />
      </div>
      <div className="grid gap-1.5">
        <Label.Root htmlFor={id("allowed_origins")} className="text-sm font-medium">
          Allowed origins
        </Label.Root>
        <p id={id("allowed_origins-hint")} className="text-xs text-text-muted">
          One a line, like https://www.example.com: https only (http for localhost while developing), without a path.
        </p>
        <Textarea
          id={id("allowed_origins")}
          name="allowed_origins"
          spellCheck={false}
          defaultValue={values?.allowed_origins ?? current.allowedOrigins.join("\n")}
          aria-invalid={originsError ? true : undefined}
          aria-describedby={originsError ? `${id("allowed_origins-hint")} ${id("allowed_origins-error")}` : id("allowed_origins-hint")}
        />
        {originsError ? (
          <p id={id("allowed_origins-error")} className="text-sm text-danger">
            {originsError}
          </p>
        ) : null}
      </div>
      <fieldset className="grid gap-4 sm:grid-cols-2">
        <legend className="mb-2 text-sm font-medium sm:col-span-2">Appearance</legend>
        <Field
          id={id("color")}
          name="color"
          label="Colour"
          type="color"
          className="w-20 p-1"
          defaultValue={values?.color ?? current.appearance.color}
          error={errors["appearance.color"]}
        />
        <fieldset className="grid gap-1.5">
          <legend className="text-sm font-medium">Position</legend>
          <div className="flex gap-4 text-sm">
            {(["right", "left"] as const).map((side) => (
              <label key={side} className="flex items-center gap-2">
                <input type="radio" name="position" value={side} defaultChecked={position === side} />
                Bottom {side}
              </label>
            ))}
          </div>
          {errors["appearance.position"] ? <p className="text-sm text-danger">{errors["appearance.position"]}</p> : null}
        </fieldset>
        <Field
          id={id("greeting")}
          name="greeting"
          label="Greeting"
          defaultValue={values?.greeting ?? current.appearance.greeting}
          maxLength={500}
          error={errors["appearance.greeting"]}
        />
        <Field
          id={id("placeholder")}
          name="placeholder"
          label="Input placeholder"
          defaultValue={values?.placeholder ?? current.appearance.placeholder}
          maxLength={100}
          error={errors["appearance.placeholder"]}
        />
        <label className="flex items-center gap-2 text-sm sm:col-span-2">
          <input type="checkbox" name="branding" defaultChecked={branding} />
          Show “Powered by Conduit” in the chat
        </label>
        <fieldset className="grid gap-1.5">
          <legend className="text-sm font-medium">Launcher icon</legend>
          <div className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
            {LAUNCHER_ICONS.map((icon) => (
              <label key={icon} className="flex items-center gap-2">
                <input type="radio" name="launcher_icon" value={icon} defaultChecked={launcherIcon === icon} />
                {LAUNCHER_ICON_NAMES[icon]}
              </label>
            ))}
          </div>
          {errors["appearance.launcher_icon"] ? <p className="text-sm text-danger">{errors["appearance.launcher_icon"]}</p> : null}
        </fieldset>
        <Field
          id={id("launcher_label")}
          name="launcher_label"
          label="Launcher text (optional)"
          placeholder="e.g. Chat with us"
          defaultValue={values?.launcher_label ?? current.appearance.launcher_label}
          maxLength={40}
          error={errors["appearance.launcher_label"]}
        />
      </fieldset>
      {agentName !== undefined ? <WidgetPreview current={current.appearance} agentName={agentName} /> : null}
    </div>
  );
}

/** The snippets for a new key: the script tag (it carries the key) and the CSP for strict sites. */
function EmbedSnippets({ publicUrl, created }: { publicUrl: string; created: CreatedWidgetKey }) {
  const csp = widgetCspDirectives(publicUrl);
  return (
    <>
      <SecretNotice
        title={`Widget key “${created.name}”`}
        secrets={[
          { label: "Publishable key", value: created.key, copyLabel: "Copy widget key", testId: "widget-key" },
          {
            label: "Paste before </body> on your site",
            value: widgetScriptTag(publicUrl, created.key),
            copyLabel: "Copy script tag",
            testId: "widget-snippet",
          },
          {
            label: "Identity secret, for your server to sign signed-in visitors' identities",
            value: created.identitySecret,
            copyLabel: "Copy identity secret",
            testId: "widget-identity-secret",
          },
        ]}
      />
      <div className="grid gap-1 text-sm">
        <p>If your site sends a strict Content-Security-Policy, add these directives to it:</p>
        <div className="flex flex-wrap items-center gap-2">
          <code className="rounded bg-surface-muted px-2 py-1 font-mono text-xs break-all" data-testid="widget-csp">
            {csp}
          </code>
          <CopyButton value={csp} label="Copy CSP directives" />
        </div>
        <p className="text-xs text-text-muted">
          If it allows scripts by nonce, give the script tag your <code className="font-mono">nonce</code> and the same value as{" "}
          <code className="font-mono">data-nonce</code>: the widget passes it on to what it adds to the page.
        </p>
      </div>
      <IdentitySigningExample />
    </>
  );
}

/** Creates a widget key; the key and the snippets to embed it are shown here once. */
export function CreateWidgetKey({ agentId, agentName, publicUrl }: { agentId: string; agentName: string; publicUrl: string }) {
  const { state, errors, formAction, onSubmit, pending } = useActionForm(createWidgetKeyAction, CreateWidgetKeySchema);
  const created = state.ok ? state.result : undefined;
  return (
    <div className="grid gap-4">
      {created ? <EmbedSnippets publicUrl={publicUrl} created={created} /> : null}
      <form action={formAction} onSubmit={onSubmit} noValidate className="grid gap-4" aria-label="Create a widget key">
        <input type="hidden" name="agent_id" value={agentId} />
        <WidgetKeyFields
          current={{ name: "", ...NEW_KEY_DEFAULTS }}
          errors={errors}
          values={state.values}
          idPrefix="new-widget"
          agentName={agentName}
        />
        {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
        <Button type="submit" disabled={pending} className="w-fit">
          {pending ? "Creating…" : "Create widget key"}
        </Button>
      </form>
    </div>
  );
}

function EditWidgetKey({ settings, agentName }: { settings: WidgetKeySettings; agentName: string }) {
  const { state, errors, formAction, onSubmit, pending } = useActionForm(updateWidgetKeyAction, UpdateWidgetKeySchema);
  // The preview loads when the form is opened, not once per key on the page.
  const [open, setOpen] = useState(false);
  return (
    <details className="rounded-md border border-border p-3" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary className="cursor-pointer text-sm font-medium">Change {settings.name}</summary>
      <form action={formAction} onSubmit={onSubmit} noValidate className="mt-3 grid gap-4" aria-label={`Change ${settings.name}`}>
        <input type="hidden" name="id" value={settings.id} />
        <WidgetKeyFields
          current={settings}
          errors={errors}
          values={state.ok ? undefined : state.values}
          idPrefix={settings.id}
          agentName={open ? agentName : undefined}
        />
        {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
        {state.ok ? <Notice>Saved. Pages that embed the key show the change when they next load.</Notice> : null}
        <Button type="submit" variant="secondary" disabled={pending} className="w-fit">
          {pending ? "Saving…" : "Save changes"}
        </Button>
      </form>
    </details>
  );
}

function RevokeWidgetKey({ settings }: { settings: WidgetKeySettings }) {
  return (
    <ConfirmedAction<string>
      id={settings.id}
      action={revokeWidgetKeyAction}
      trigger={
        <Button type="button" variant="danger" size="sm" className="w-fit" aria-label={`Revoke ${settings.name}`}>
          Revoke
        </Button>
      }
      title={`Revoke ${settings.name}?`}
      description="Pages that embed it can no longer start a chat, and open chats stop at their next message. The conversations stay in the record. This cannot be undone."
      confirmLabel="Revoke"
      pendingLabel="Revoking…"
    />
  );
}

/** What owners and admins may do to an active widget key: change it, revoke it. */
export function WidgetKeyControls({ settings, agentName }: { settings: WidgetKeySettings; agentName: string }) {
  return (
    <div className="grid gap-3">
      <RevokeWidgetKey settings={settings} />
      <EditWidgetKey settings={settings} agentName={agentName} />
    </div>
  );
}
