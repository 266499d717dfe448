"use client";

import { useActionState, useState, type FormEvent } from "react";
import { fieldErrorsOf, SignInRequest, SignUpRequest, type FieldErrors } from "@/lib/accounts/schemas";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import type { FormState } from "./actions";

/** Schemas by name: a server component cannot hand a schema object to a client one. */
const SCHEMAS = { signIn: SignInRequest, signUp: SignUpRequest };

export interface FieldSpec {
  name: string;
  label: string;
  type?: string;
  autoComplete?: string;
}

/**
 * A form checked in the browser with the server's own zod schema (instant field errors), then
 * posted to a server action that checks it again and answers with the same kind of errors.
 */
export function AuthForm({
  action,
  schema,
  fields,
  submitLabel,
}: {
  action: (previous: FormState, form: FormData) => Promise<FormState>;
  schema: keyof typeof SCHEMAS;
  fields: FieldSpec[];
  submitLabel: string;
}) {
  const [state, formAction, pending] = useActionState(action, { errors: {} });
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const errors = clientErrors ?? state.errors;

  const checkBeforeSubmit = (event: FormEvent<HTMLFormElement>) => {
    const values = Object.fromEntries(new FormData(event.currentTarget));
    const parsed = SCHEMAS[schema].safeParse(values);
    if (parsed.success) return setClientErrors(null);
    event.preventDefault();
    setClientErrors(fieldErrorsOf(parsed.error));
  };

  return (
    <form action={formAction} onSubmit={checkBeforeSubmit} noValidate className="grid gap-4">
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      {fields.map((field) => (
        <Field
          key={field.name}
          name={field.name}
          label={field.label}
          type={field.type ?? "text"}
          autoComplete={field.autoComplete}
          defaultValue={field.type === "password" ? undefined : state.values?.[field.name]}
          error={errors[field.name]}
          required
        />
      ))}
      <Button type="submit" disabled={pending}>
        {pending ? "Please wait…" : submitLabel}
      </Button>
    </form>
  );
}
