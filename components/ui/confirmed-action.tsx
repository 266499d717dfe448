"use client";

import { useState, type ReactNode } from "react";
import type { ActionState } from "@/lib/forms";
import { Button } from "./button";
import { Notice } from "./card";
import { ConfirmCancel, ConfirmDialog } from "./confirm-dialog";
import { useActionForm } from "./use-action-form";

/**
 * An irreversible server action on one thing (revoke, rotate, delete), asked for in a dialog: the
 * dialog closes once the server has acted, and `result` renders what the answer brings (a
 * rotated key's new secret, shown this once).
 */
export function ConfirmedAction<R>({
  id,
  action,
  trigger,
  title,
  description,
  confirmLabel,
  pendingLabel,
  result,
}: {
  /** Sent as the form's `id` field. */
  id: string;
  action: (previous: ActionState<R>, form: FormData) => Promise<ActionState<R>>;
  /** The button that opens the dialog. */
  trigger: ReactNode;
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
  const dialog = (
    <ConfirmDialog open={open} onOpenChange={setOpen} title={title} description={description} trigger={trigger}>
      <form action={formAction} className="grid gap-3">
        <input type="hidden" name="id" value={id} />
        {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
        <div className="flex justify-end gap-2">
          <ConfirmCancel />
          <Button type="submit" variant="danger" disabled={pending}>
            {pending ? pendingLabel : confirmLabel}
          </Button>
        </div>
      </form>
    </ConfirmDialog>
  );
  if (!result) return dialog;
  return (
    <div className="grid gap-3">
      {dialog}
      {state.ok && state.result !== undefined ? result(state.result) : null}
    </div>
  );
}
