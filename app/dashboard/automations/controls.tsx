"use client";

import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { ConfirmedAction } from "@/components/ui/confirmed-action";
import { SecretNotice } from "@/components/ui/secret-notice";
import { useActionForm } from "@/components/ui/use-action-form";
import type { ActionState } from "@/lib/forms";
import {
  deleteAutomationAction,
  publishAutomationAction,
  rerunAction,
  rotateTriggerSecretsAction,
  unpublishAutomationAction,
} from "./actions";

/** A one-button form acting on one automation or run. */
function ActionButton({
  id,
  action,
  label,
  pendingLabel,
  variant = "primary",
}: {
  id: string;
  action: (previous: ActionState<string>, form: FormData) => Promise<ActionState<string>>;
  label: string;
  pendingLabel: string;
  variant?: "primary" | "secondary";
}) {
  const { errors, formAction, pending } = useActionForm(action);
  return (
    <form action={formAction} className="grid gap-2">
      <input type="hidden" name="id" value={id} />
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      <Button type="submit" variant={variant} disabled={pending} className="w-fit">
        {pending ? pendingLabel : label}
      </Button>
    </form>
  );
}

export function PublishControls({ id, published, changed }: { id: string; published: boolean; changed: boolean }) {
  return (
    <div className="flex flex-wrap gap-2">
      {!published || changed ? (
        <ActionButton
          id={id}
          action={publishAutomationAction}
          label={published ? "Publish changes" : "Publish"}
          pendingLabel="Publishing…"
        />
      ) : null}
      {published ? (
        <ActionButton id={id} action={unpublishAutomationAction} label="Unpublish" pendingLabel="Unpublishing…" variant="secondary" />
      ) : null}
    </div>
  );
}

export function RotateTriggerSecrets({ id }: { id: string }) {
  return (
    <ConfirmedAction
      id={id}
      action={rotateTriggerSecretsAction}
      trigger={
        <Button type="button" variant="secondary" className="w-fit">
          Rotate secrets
        </Button>
      }
      title="Rotate the trigger's secrets?"
      description="New bearer and signing secrets are shown once; the old ones stop working at once, so update your callers."
      confirmLabel="Rotate secrets"
      pendingLabel="Rotating…"
      result={(secrets) => (
        <SecretNotice
          title="New trigger secrets"
          secrets={[
            {
              label: "Bearer secret (Authorization: Bearer …)",
              value: secrets.bearerSecret,
              copyLabel: "Copy bearer secret",
              testId: "bearer-secret",
            },
            {
              label: "Signing secret (Standard Webhooks)",
              value: secrets.signingSecret,
              copyLabel: "Copy signing secret",
              testId: "signing-secret",
            },
          ]}
        />
      )}
    />
  );
}

export function DeleteAutomation({ id, name }: { id: string; name: string }) {
  return (
    <ConfirmedAction
      id={id}
      action={deleteAutomationAction}
      trigger={
        <Button type="button" variant="danger" className="w-fit">
          Delete automation
        </Button>
      }
      title={`Delete “${name}”?`}
      description="Its trigger answers 404 from now on, and its run history goes with it."
      confirmLabel="Delete"
      pendingLabel="Deleting…"
    />
  );
}

export function RerunButton({ runId }: { runId: string }) {
  return <ActionButton id={runId} action={rerunAction} label="Rerun" pendingLabel="Queuing…" variant="secondary" />;
}
