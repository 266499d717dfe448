"use client";

import { useState } from "react";
import type { MemberRole } from "@/lib/accounts";
import { ChangeRoleForm, RemoveMemberForm } from "@/lib/orgs/schemas";
import { Button } from "@/components/ui/button";
import { useActionForm } from "@/components/ui/use-action-form";
import { changeRoleAction, removeMemberAction } from "../actions";

/** A member's role select and removal, each refused by the server with its reason (e.g. the last owner). */
export function MemberControls({
  userId,
  name,
  role,
  roles,
  self,
}: {
  userId: string;
  name: string;
  role: MemberRole;
  roles: MemberRole[];
  self: boolean;
}) {
  const change = useActionForm(changeRoleAction, ChangeRoleForm);
  const remove = useActionForm(removeMemberAction, RemoveMemberForm);
  const [confirming, setConfirming] = useState(false);
  const selectId = `role-${userId}`;
  const errors = [change.errors.form ?? change.errors.role, remove.errors.form].filter(Boolean);
  const options = roles.includes(role) ? roles : [role, ...roles];
  return (
    <div className="grid gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <form action={change.formAction} onSubmit={change.onSubmit} noValidate className="flex items-center gap-2">
          <input type="hidden" name="user_id" value={userId} />
          <label htmlFor={selectId} className="sr-only">
            Role of {name}
          </label>
          <select
            id={selectId}
            name="role"
            defaultValue={role}
            className="h-8 rounded-md border border-border bg-surface px-2 text-sm focus-visible:border-accent focus-visible:ring-2 focus-visible:ring-accent/30"
          >
            {options.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
          <Button type="submit" size="sm" variant="secondary" disabled={change.pending} className="whitespace-nowrap">
            Change role
          </Button>
        </form>
        {confirming ? (
          <form action={remove.formAction} className="flex items-center gap-2">
            <input type="hidden" name="user_id" value={userId} />
            <Button type="submit" size="sm" variant="danger" disabled={remove.pending}>
              {self ? "Leave the organisation" : `Remove ${name}`}
            </Button>
            <Button type="button" size="sm" variant="ghost" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
          </form>
        ) : (
          <Button type="button" size="sm" variant="ghost" onClick={() => setConfirming(true)}>
            {self ? "Leave" : "Remove"}
          </Button>
        )}
      </div>
      {errors.map((error) => (
        <p key={error} role="alert" className="text-sm text-danger">
          {error}
        </p>
      ))}
    </div>
  );
}
