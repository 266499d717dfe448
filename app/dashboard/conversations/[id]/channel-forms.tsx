"use client";

import { Label } from "radix-ui";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { Textarea } from "@/components/ui/textarea";
import { useActionForm } from "@/components/ui/use-action-form";
import { sendMemberReplyAction, takeOverAction } from "./actions";
import { MEMBER_REPLY_MAX_CHARS, MemberReplyForm } from "./schemas";

/** Takes the conversation over (the agent stops answering this contact) or hands it back. */
export function TakeOverButton({ conversationId, takenOver }: { conversationId: string; takenOver: boolean }) {
  const { errors, formAction, pending } = useActionForm(takeOverAction);
  return (
    <form action={formAction} className="grid gap-1">
      <input type="hidden" name="conversation_id" value={conversationId} />
      <input type="hidden" name="take_over" value={takenOver ? "false" : "true"} />
      <Button type="submit" variant={takenOver ? "secondary" : "primary"} disabled={pending} className="w-fit">
        {takenOver ? (pending ? "Handing back…" : "Hand back to the agent") : pending ? "Taking over…" : "Take over"}
      </Button>
      {errors.form ? (
        <p role="alert" className="text-sm text-danger">
          {errors.form}
        </p>
      ) : null}
    </form>
  );
}

/** A member's own message to the contact: recorded in the conversation under their name and sent like the agent's replies. */
export function MemberReply({ conversationId, contact }: { conversationId: string; contact: string }) {
  const { state, errors, formAction, onSubmit, pending } = useActionForm(sendMemberReplyAction, MemberReplyForm);
  const error = errors.text ?? errors.conversation_id;
  return (
    <form action={formAction} onSubmit={onSubmit} noValidate className="grid gap-2">
      <input type="hidden" name="conversation_id" value={conversationId} />
      <Label.Root htmlFor="member-reply" className="text-sm font-medium">
        Write to {contact}
      </Label.Root>
      <Textarea
        id="member-reply"
        name="text"
        defaultValue={state.ok ? "" : (state.values?.text ?? "")}
        maxLength={MEMBER_REPLY_MAX_CHARS}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "member-reply-error" : undefined}
      />
      {error ? (
        <p id="member-reply-error" className="text-sm text-danger">
          {error}
        </p>
      ) : null}
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      {state.ok ? <Notice>Queued for sending: the channel log below shows when it has gone out.</Notice> : null}
      <Button type="submit" disabled={pending} className="w-fit">
        {pending ? "Sending…" : "Send reply"}
      </Button>
    </form>
  );
}
