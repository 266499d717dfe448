"use client";

import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { useActionForm } from "@/components/ui/use-action-form";
import { deleteAgentAction } from "../../actions";
import { DeleteAgentRequest } from "../../schemas";

/** Deleting needs a ticked box: it also ends the agent's connection keys' use and its history. */
export function DeleteAgentForm({ agentId }: { agentId: string }) {
  const { errors, formAction, onSubmit, pending } = useActionForm(deleteAgentAction, DeleteAgentRequest);
  return (
    <form action={formAction} onSubmit={onSubmit} noValidate className="grid gap-3">
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      <input type="hidden" name="agent_id" value={agentId} />
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          name="confirm"
          value="yes"
          className="size-4"
          aria-invalid={errors.confirm ? true : undefined}
          aria-describedby={errors.confirm ? "confirm-error" : undefined}
        />
        Yes, delete this agent with its conversations and traces
      </label>
      {errors.confirm ? (
        <p id="confirm-error" className="text-sm text-danger">
          {errors.confirm}
        </p>
      ) : null}
      <Button type="submit" variant="danger" disabled={pending} className="w-fit">
        {pending ? "Deleting…" : "Delete agent"}
      </Button>
    </form>
  );
}
