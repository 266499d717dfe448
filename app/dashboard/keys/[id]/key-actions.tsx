"use client";

import { useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { ConfirmCancel, ConfirmDialog } from "@/components/ui/confirm-dialog";
import { SecretNotice } from "@/components/ui/secret-notice";
import { useActionForm } from "@/components/ui/use-action-form";
import type { ActionState } from "@/lib/forms";
import { revokeKeyAction, rotateKeyAction, type RotatedKey } from "../actions";

/**
 * A confirmed action on one key: the dialog closes once the server has acted, and `result`
 * renders what the answer brings (a rotated key's new secret, shown this once).
 */
function ConfirmedKeyAction<R>({
  keyId,
  action,
  trigger,
  title,
  description,
  confirmLabel,
  pendingLabel,
  result,
}: {
  keyId: string;
  action: (previous: ActionState<R>, form: FormData) => Promise<ActionState<R>>;
  trigger: string;
  title: string;
  description: string;
  confirmLabel: string;
  pendingLabel: string;
  result?: (value: R) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const { state, errors, formAction, pending } = useActionForm<R>(async (previous, form) => {
    const next = await action(previous, form);
    if (next.ok) setOpen(false);
    return next;
  });
  return (
    <div className="grid gap-3">
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title={title}
        description={description}
        trigger={
          <Button type="button" variant="danger" className="w-fit">
            {trigger}
          </Button>
        }
      >
        <form action={formAction} className="grid gap-3">
          <input type="hidden" name="id" value={keyId} />
          {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
          <div className="flex justify-end gap-2">
            <ConfirmCancel />
            <Button type="submit" variant="danger" disabled={pending}>
              {pending ? pendingLabel : confirmLabel}
            </Button>
          </div>
        </form>
      </ConfirmDialog>
      {state.ok && state.result !== undefined && result ? result(state.result) : null}
    </div>
  );
}

export function RotateKey({ keyId }: { keyId: string }) {
  return (
    <ConfirmedKeyAction<RotatedKey>
      keyId={keyId}
      action={rotateKeyAction}
      trigger="Rotate key"
      title="Rotate this key?"
      description="A new secret replaces the current one, which stops working at once. The key keeps its id, agents, budget, spend, webhook and signing secret."
      confirmLabel="Rotate"
      pendingLabel="Rotating…"
      result={(rotated) => (
        <SecretNotice
          title="New secret"
          secrets={[{ label: "API key", value: rotated.secret, copyLabel: "Copy key", testId: "rotated-key-secret" }]}
        />
      )}
    />
  );
}

export function RevokeKey({ keyId }: { keyId: string }) {
  return (
    <ConfirmedKeyAction<string>
      keyId={keyId}
      action={revokeKeyAction}
      trigger="Revoke key"
      title="Revoke this key?"
      description="Every surface refuses it from now on, and work queued under it will not run. This cannot be undone."
      confirmLabel="Revoke"
      pendingLabel="Revoking…"
    />
  );
}
