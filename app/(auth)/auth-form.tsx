"use client";

import { InvitedSignUpRequest, SignInRequest, SignUpRequest } from "@/lib/accounts/schemas";
import type { ActionState } from "@/lib/forms";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { useActionForm } from "@/components/ui/use-action-form";

/** Schemas by name: a server component cannot hand a schema object to a client one. */
const SCHEMAS = { signIn: SignInRequest, signUp: SignUpRequest, invitedSignUp: InvitedSignUpRequest };

export interface FieldSpec {
  name: string;
  label: string;
  type?: string;
  autoComplete?: string;
  /** A value the page knows (e.g. the invited email); `readOnly` keeps it as given. */
  defaultValue?: string;
  readOnly?: boolean;
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
  hidden = {},
}: {
  action: (previous: ActionState<never>, form: FormData) => Promise<ActionState<never>>;
  schema: keyof typeof SCHEMAS;
  fields: FieldSpec[];
  submitLabel: string;
  /** Values the form carries without showing them (where to go next, an invitation's token). */
  hidden?: Record<string, string>;
}) {
  const { state, errors, formAction, onSubmit, pending } = useActionForm(action, SCHEMAS[schema]);

  return (
    <form action={formAction} onSubmit={onSubmit} noValidate className="grid gap-4">
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {fields.map((field) => (
        <Field
          key={field.name}
          name={field.name}
          label={field.label}
          type={field.type ?? "text"}
          autoComplete={field.autoComplete}
          defaultValue={field.type === "password" ? undefined : (state.values?.[field.name] ?? field.defaultValue)}
          readOnly={field.readOnly}
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
