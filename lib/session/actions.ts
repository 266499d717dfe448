import type { z } from "zod";
import { membershipOf, type Member, type MemberRole } from "@/lib/accounts";
import { getDb, type Db } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { fieldErrorsOf, formValues, type ActionState } from "@/lib/forms";
import { auth, chosenOrgId } from "./index";

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
  run: (context: { member: Member; db: Db; input: z.output<S> }) => Promise<R>,
): (previous: ActionState<R>, form: FormData) => Promise<ActionState<R>> {
  return async (_previous, form) => {
    const raw = formValues(form);
    const values = Object.fromEntries(
      Object.entries(raw).flatMap(([name, value]) => (typeof value === "string" && !SECRET_FIELD.test(name) ? [[name, value]] : [])),
    );
    const session = await auth();
    const db = await getDb();
    const member = session?.user?.id ? await membershipOf(db, session.user.id, await chosenOrgId()) : null;
    if (!member) return { ok: false, errors: { form: "Your session has ended; sign in again" }, values };
    if (!options.roles.includes(member.role)) {
      return { ok: false, errors: { form: `This needs the role ${options.roles.join(" or ")}; your role is ${member.role}` }, values };
    }
    const parsed = options.schema.safeParse(raw);
    if (!parsed.success) return { ok: false, errors: fieldErrorsOf(parsed.error), values };
    try {
      return { ok: true, errors: {}, result: await run({ member, db, input: parsed.data }) };
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) return { ok: false, errors: { form: error.message }, values };
      console.error(`[dashboard] action failed: ${error instanceof Error ? error.message : String(error)}`);
      return { ok: false, errors: { form: "Something went wrong; nothing was changed. Try again." }, values };
    }
  };
}
