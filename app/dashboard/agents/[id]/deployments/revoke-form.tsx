"use client";

import { Button } from "@/components/ui/button";
import { useActionForm } from "@/components/ui/use-action-form";
import { revokeDeploymentKeyAction } from "../../actions";

export function RevokeKeyForm({ agentId, keyId, label }: { agentId: string; keyId: string; label: string }) {
  const { errors, formAction, pending } = useActionForm(revokeDeploymentKeyAction);
  return (
    <form action={formAction} className="grid gap-1">
      <input type="hidden" name="agent_id" value={agentId} />
      <input type="hidden" name="key_id" value={keyId} />
      <Button type="submit" variant="secondary" size="sm" disabled={pending} aria-label={`Revoke ${label}`}>
        {pending ? "Revoking…" : "Revoke"}
      </Button>
      {errors.form ? (
        <p role="alert" className="text-xs text-danger">
          {errors.form}
        </p>
      ) : null}
    </form>
  );
}
