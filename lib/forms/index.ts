import type { z } from "zod";

/**
 * What dashboard forms and their server actions exchange. Client-safe (zod types only): the
 * browser checks a form with the same schema the server action parses it with.
 */

/** Errors keyed by field name; `form` holds one that belongs to no field. */
export type FieldErrors = Partial<Record<string, string>>;

export interface ActionState<R = unknown> {
  ok: boolean;
  errors: FieldErrors;
  /** What the user typed, to refill the form after a refusal (never passwords or secrets). */
  values?: Record<string, string>;
  /** The action's answer on success, e.g. a secret to show once. */
  result?: R;
}

export const initialActionState: ActionState<never> = { ok: false, errors: {} };

export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "form";
    errors[field] ??= issue.message;
  }
  return errors;
}

/**
 * A form's fields as an object for a zod schema: repeated names (checkbox groups, multi-selects)
 * become arrays, single ones strings; file inputs are left out.
 */
export function formValues(form: FormData): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {};
  for (const name of new Set(form.keys())) {
    const all = form.getAll(name).filter((value): value is string => typeof value === "string");
    if (all.length === 0) continue;
    values[name] = all.length === 1 && !name.endsWith("[]") ? all[0]! : all;
  }
  return values;
}
