"use client";

import type { MemberRole } from "@/lib/accounts";
import { InviteForm as InviteSchema, RevokeInvitationForm } from "@/lib/orgs/schemas";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Field } from "@/components/ui/field";
import { NativeSelect } from "@/components/ui/native-select";
import { useActionForm } from "@/components/ui/use-action-form";
import { inviteAction, revokeInvitationAction } from "../actions";
import { ROLE_DESCRIPTIONS } from "../roles";

/** Creates an invitation and shows its link once, with a copy button; the link is never shown again. */
export function InviteForm({ roles }: { roles: MemberRole[] }) {
  const { state, errors, formAction, onSubmit, pending } = useActionForm(inviteAction, InviteSchema);
  const created = state.ok ? state.result : undefined;
  // Built with the address this browser uses, which is the one the invitee can reach too; the
  // answer only ever arrives in the browser, so there is no server render to disagree with.
  const link = created ? `${typeof window === "undefined" ? "" : window.location.origin}${created.path}` : "";
  return (
    <div className="grid gap-4">
      {created ? (
        <Notice className="grid gap-2">
          <p>
            Invitation for {created.email} as {created.role}. Copy the link now: it is not shown again.
          </p>
          <div className="flex flex-wrap items-center gap-2">
            <code className="break-all rounded bg-surface px-2 py-1" data-testid="invitation-link">
              {link}
            </code>
            <CopyButton value={link} label="Copy link" />
          </div>
        </Notice>
      ) : null}
      <form action={formAction} onSubmit={onSubmit} noValidate className="grid gap-4 sm:grid-cols-[1fr_16rem_auto] sm:items-end">
        {errors.form ? (
          <Notice tone="error" className="sm:col-span-3">
            {errors.form}
          </Notice>
        ) : null}
        <Field
          name="email"
          label="Email"
          type="email"
          autoComplete="off"
          defaultValue={state.ok ? "" : state.values?.email}
          error={errors.email}
          required
        />
        <NativeSelect
          name="role"
          label="Role"
          defaultValue={state.ok ? "member" : (state.values?.role ?? "member")}
          options={roles.map((role) => ({ value: role, label: `${role} — ${ROLE_DESCRIPTIONS[role]}` }))}
        />
        <Button type="submit" disabled={pending}>
          {pending ? "Creating…" : "Create invitation link"}
        </Button>
      </form>
    </div>
  );
}

export function RevokeInvitationButton({ invitationId, email }: { invitationId: string; email: string }) {
  const { errors, formAction, onSubmit, pending } = useActionForm(revokeInvitationAction, RevokeInvitationForm);
  return (
    <form action={formAction} onSubmit={onSubmit} className="grid gap-1">
      <input type="hidden" name="invitation_id" value={invitationId} />
      <Button type="submit" size="sm" variant="secondary" disabled={pending} aria-label={`Revoke the invitation for ${email}`}>
        Revoke
      </Button>
      {errors.form ? (
        <p role="alert" className="text-sm text-danger">
          {errors.form}
        </p>
      ) : null}
    </form>
  );
}
