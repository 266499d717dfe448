"use client";

import { Label } from "radix-ui";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { Textarea } from "@/components/ui/textarea";
import { useActionForm } from "@/components/ui/use-action-form";
import { ReviewDecisionForm } from "../schemas";
import { decideThreadAction } from "./actions";

/** Approve or reject (final), or escalate for an elevated review; each with a message the agent receives. */
export function DecisionForm({ threadId, escalated }: { threadId: string; escalated: boolean }) {
  const { state, errors, formAction, onSubmit, pending } = useActionForm(decideThreadAction, ReviewDecisionForm);
  const messageError = errors.message;
  return (
    <form action={formAction} onSubmit={onSubmit} noValidate className="grid gap-4" aria-label="Decision">
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      {errors.action ? <Notice tone="error">{errors.action}</Notice> : null}
      {state.ok && state.result === "escalated" ? <Notice>Escalated. The thread waits for an elevated review.</Notice> : null}
      <input type="hidden" name="thread_id" value={threadId} />
      <div className="grid gap-1.5">
        <Label.Root htmlFor="message" className="text-sm font-medium">
          Message to the agent
        </Label.Root>
        <p id="message-hint" className="text-sm text-text-muted">
          The agent reads it with the decision: why, or what to change.
        </p>
        <Textarea
          id="message"
          name="message"
          rows={3}
          maxLength={4000}
          // React resets the form after each post: a refusal refills what was typed.
          defaultValue={state.ok ? "" : (state.values?.message ?? "")}
          aria-invalid={messageError ? true : undefined}
          aria-describedby={messageError ? "message-hint message-error" : "message-hint"}
        />
        {messageError ? (
          <p id="message-error" className="text-sm text-danger">
            {messageError}
          </p>
        ) : null}
      </div>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" name="action" value="approve" disabled={pending}>
          Approve
        </Button>
        <Button type="submit" name="action" value="reject" variant="danger" disabled={pending}>
          Reject
        </Button>
        <Button type="submit" name="action" value="escalate" variant="secondary" disabled={pending}>
          {escalated ? "Escalate again" : "Escalate"}
        </Button>
      </div>
      <p className="text-sm text-text-muted">Approving or rejecting is final: the agent is told at once and the thread closes.</p>
    </form>
  );
}
