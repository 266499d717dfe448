import type { z } from "zod";
import type { Member, MemberRole } from "@/lib/accounts";
import { getDb, type Db } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { fieldErrorsOf, formValues, type ActionState } from "@/lib/forms";
import { roleRefusal, signedInMember } from "./index";

/** Field names whose values are never echoed back into a form. */
const SECRET_FIELD = /password|secret|token|api_key|apiKey/i;

/**
 * A dashboard mutation: the signed-in member must hold one of `roles` (checked on the server, so
 * a forged post is refused too), the form is parsed with `schema` (the browser's own), and the
 * work is done by the same lib/ service the API calls. Refusals come back as field or form
 * errors; unexpected failures are logged and answered generically.
 */
export function memberAction<S extends z.ZodType, R>(
  options: { roles: readonly MemberRole[]; schema: S },
  /** `form` is the posted form itself, for what a schema cannot parse (an uploaded file). */
  run: (context: { member: Member; db: Db; input: z.output<S>; form: FormData }) => Promise<R>,
): (previous: ActionState<R>, form: FormData) => Promise<ActionState<R>> {
  return async (_previous, form) => {
    const raw = formValues(form);
    const values = Object.fromEntries(
      Object.entries(raw).flatMap(([name, value]) => (typeof value === "string" && !SECRET_FIELD.test(name) ? [[name, value]] : [])),
    );
    const db = await getDb();
    const member = await signedInMember(db);
    if (!member) return { ok: false, errors: { form: "Your session has ended; sign in again" }, values };
    const refusal = roleRefusal(member, options.roles);
    if (refusal) return { ok: false, errors: { form: refusal }, values };
    const parsed = options.schema.safeParse(raw);
    if (!parsed.success) return { ok: false, errors: fieldErrorsOf(parsed.error), values };
    try {
      return { ok: true, errors: {}, result: await run({ member, db, input: parsed.data, form }) };
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) return { ok: false, errors: { form: error.message }, values };
      console.error(`[dashboard] action failed: ${error instanceof Error ? error.message : String(error)}`);
      return { ok: false, errors: { form: "Something went wrong; nothing was changed. Try again." }, values };
    }
  };
}
