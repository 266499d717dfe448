"use server";

import { revalidatePath } from "next/cache";
import { OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import type { ActionState } from "@/lib/forms";
import { memberAction } from "@/lib/session/actions";
import { rotateIdentitySecret } from "@/lib/widget";
import { WidgetKeyIdForm } from "./widget-schemas";

/** As `POST /api/widget-keys/{id}/identity-secret`: owners and admins replace a key's identity secret, shown this once. */
const rotate = memberAction({ roles: OWNERS_AND_ADMINS, schema: WidgetKeyIdForm }, async ({ member, db, input }) => {
  const { record, identitySecret } = await rotateIdentitySecret(db, member.orgId, input.id);
  revalidatePath(`/dashboard/agents/${record.agentId}/deployments/widget`);
  return identitySecret;
});

export async function rotateWidgetIdentitySecretAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return rotate(previous, form);
}
