"use client";

import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { useActionForm } from "@/components/ui/use-action-form";
import { acceptInvitationAction } from "../../actions";

export function AcceptForm({ token, orgName }: { token: string; orgName: string }) {
  const { errors, formAction, pending } = useActionForm(acceptInvitationAction);
  return (
    <form action={formAction} className="grid gap-4">
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      <input type="hidden" name="invitation" value={token} />
      <Button type="submit" disabled={pending}>
        {pending ? "Joining…" : `Join ${orgName}`}
      </Button>
    </form>
  );
}
