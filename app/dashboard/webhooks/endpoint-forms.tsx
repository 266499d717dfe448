"use client";

import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { ConfirmedAction } from "@/components/ui/confirmed-action";
import { Field } from "@/components/ui/field";
import { SecretNotice } from "@/components/ui/secret-notice";
import { useActionForm } from "@/components/ui/use-action-form";
import { EVENT_TYPES } from "@/lib/contracts/event-catalogue";
import {
  createEndpointAction,
  deleteEndpointAction,
  enableEndpointAction,
  resendDeliveryAction,
  rotateSecretAction,
  sendTestEventAction,
  updateEndpointAction,
  type ShownSecret,
} from "./actions";
import { CreateEndpointForm, UpdateEndpointForm } from "./schemas";

interface EndpointValues {
  id?: string;
  url: string;
  description: string;
  eventTypes: readonly string[] | null;
}

/** The event types as checkboxes; none ticked sends every type. */
function EventChoices({ chosen, error }: { chosen: readonly string[] | null; error?: string }) {
  return (
    <fieldset className="grid gap-2" aria-describedby={error ? "event-types-error" : undefined}>
      <legend className="text-sm font-medium">Events (none ticked: every event)</legend>
      <div className="grid gap-1 sm:grid-cols-2 lg:grid-cols-3">
        {EVENT_TYPES.map((type) => (
          <label key={type} className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              name="event_types[]"
              value={type}
              defaultChecked={chosen?.includes(type) ?? false}
              className="size-4 accent-accent"
            />
            <code className="font-mono text-xs">{type}</code>
          </label>
        ))}
      </div>
      {error ? (
        <p id="event-types-error" className="text-sm text-danger">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

function EndpointFields({ values, errors }: { values: EndpointValues; errors: Record<string, string | undefined> }) {
  return (
    <>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          name="url"
          label="URL"
          type="url"
          placeholder="https://example.com/hooks/conduit"
          defaultValue={values.url}
          error={errors.url}
          required
        />
        <Field
          name="description"
          label="Description (optional)"
          defaultValue={values.description}
          error={errors.description}
          maxLength={500}
        />
      </div>
      <EventChoices chosen={values.eventTypes} error={errors.event_types ?? errors["event_types[]"]} />
    </>
  );
}

/** Adds an endpoint; its signing secret shows above the form this once. */
export function CreateEndpoint() {
  const { state, errors, formAction, onSubmit, pending } = useActionForm<ShownSecret>(createEndpointAction, CreateEndpointForm);
  const created = state.ok ? state.result : undefined;
  const url = typeof state.values?.url === "string" ? state.values.url : "";
  const description = typeof state.values?.description === "string" ? state.values.description : "";
  return (
    <div className="grid gap-4">
      {created ? (
        <SecretNotice
          title={`Endpoint ${created.id} added`}
          secrets={[{ label: "Signing secret", value: created.secret, copyLabel: "Copy secret", testId: "new-endpoint-secret" }]}
        />
      ) : null}
      <form action={formAction} onSubmit={onSubmit} noValidate className="grid gap-4">
        {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
        <EndpointFields values={{ url, description, eventTypes: null }} errors={errors} />
        <Button type="submit" disabled={pending} className="w-fit">
          {pending ? "Adding…" : "Add endpoint"}
        </Button>
      </form>
    </div>
  );
}

export function EditEndpoint({ endpoint }: { endpoint: Required<EndpointValues> }) {
  const { state, errors, formAction, onSubmit, pending } = useActionForm<string>(updateEndpointAction, UpdateEndpointForm);
  return (
    <form action={formAction} onSubmit={onSubmit} noValidate className="grid gap-4">
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      {state.ok ? <Notice>Saved.</Notice> : null}
      <input type="hidden" name="id" value={endpoint.id} />
      <EndpointFields values={endpoint} errors={errors} />
      <Button type="submit" disabled={pending} className="w-fit">
        {pending ? "Saving…" : "Save changes"}
      </Button>
    </form>
  );
}

/** Enables or disables an endpoint; enabling one Conduit disabled clears why. */
export function EnableEndpoint({ id, enabled, label }: { id: string; enabled: boolean; label: string }) {
  const { errors, formAction, pending } = useActionForm<string>(enableEndpointAction);
  return (
    <form action={formAction} className="grid gap-2">
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="enabled" value={String(enabled)} />
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      <Button type="submit" variant="secondary" size="sm" disabled={pending} className="w-fit">
        {pending ? "Saving…" : label}
      </Button>
    </form>
  );
}

export function SendTestEvent({ id }: { id: string }) {
  const { state, errors, formAction, pending } = useActionForm<string>(sendTestEventAction);
  return (
    <form action={formAction} className="grid gap-2">
      <input type="hidden" name="id" value={id} />
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      {state.ok ? <Notice>Test event {state.result} queued.</Notice> : null}
      <Button type="submit" variant="secondary" size="sm" disabled={pending} className="w-fit">
        {pending ? "Sending…" : "Send test event"}
      </Button>
    </form>
  );
}

export function ResendDelivery({ id }: { id: string }) {
  const { errors, formAction, pending } = useActionForm<string>(resendDeliveryAction);
  return (
    <form action={formAction} className="grid gap-1">
      <input type="hidden" name="id" value={id} />
      {errors.form ? <p className="text-xs text-danger">{errors.form}</p> : null}
      <Button type="submit" variant="secondary" size="sm" disabled={pending} aria-label={`Resend ${id}`}>
        {pending ? "Resending…" : "Resend"}
      </Button>
    </form>
  );
}

export function RotateSecret({ id }: { id: string }) {
  return (
    <ConfirmedAction<ShownSecret>
      id={id}
      action={rotateSecretAction}
      trigger={
        <Button type="button" variant="secondary" size="sm">
          Rotate secret
        </Button>
      }
      title="Rotate the signing secret?"
      description="A new secret signs every delivery from now on. For 24 hours the old one signs beside it, so your receiver can switch over."
      confirmLabel="Rotate secret"
      pendingLabel="Rotating…"
      result={(rotated) => (
        <SecretNotice
          title="New signing secret"
          secrets={[{ label: "Signing secret", value: rotated.secret, copyLabel: "Copy secret", testId: "rotated-endpoint-secret" }]}
        />
      )}
    />
  );
}

export function DeleteEndpoint({ id, url }: { id: string; url: string }) {
  return (
    <ConfirmedAction<string>
      id={id}
      action={deleteEndpointAction}
      trigger={
        <Button type="button" variant="danger" size="sm">
          Delete endpoint
        </Button>
      }
      title="Delete this endpoint?"
      description={`Events stop going to ${url} at once, and its delivery log is deleted. This cannot be undone.`}
      confirmLabel="Delete endpoint"
      pendingLabel="Deleting…"
    />
  );
}
