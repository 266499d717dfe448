"use client";

import { useActionState, useState, type FormEvent } from "react";
import type { z } from "zod";
import { fieldErrorsOf, formValues, initialActionState, type ActionState, type FieldErrors } from "@/lib/forms";

/**
 * A form bound to a server action: checked first in the browser with the server's own schema
 * (instant field errors, no round trip), then posted; the server's answer replaces them.
 */
export function useActionForm<R>(action: (previous: ActionState<R>, form: FormData) => Promise<ActionState<R>>, schema?: z.ZodType) {
  const [state, formAction, pending] = useActionState(action, initialActionState as ActionState<R>);
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    if (!schema) return;
    // The clicked button's name and value count, as in what the server receives (e.g. action=approve).
    const form = new FormData(event.currentTarget, (event.nativeEvent as SubmitEvent).submitter);
    const parsed = schema.safeParse(formValues(form));
    if (parsed.success) return setClientErrors(null);
    event.preventDefault();
    setClientErrors(fieldErrorsOf(parsed.error));
  };
  return { state, errors: clientErrors ?? state.errors, formAction, onSubmit, pending };
}
