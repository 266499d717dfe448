"use server";

import { revalidatePath } from "next/cache";
import { OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import type { ActionState } from "@/lib/forms";
import { memberAction } from "@/lib/session/actions";
import { createWidgetKey, revokeWidgetKey, updateWidgetKey } from "@/lib/widget";
import { CreateWidgetKeyForm, UpdateWidgetKeyForm, WidgetKeyIdForm } from "./widget-schemas";

/*
 * As on /api/widget-keys: owners and admins create, change and revoke widget keys; every member
 * sees them. The work is the API's own services.
 */

const widgetPageOf = (agentId: string) => `/dashboard/agents/${agentId}/deployments/widget`;

/** What creating a widget key answers: the publishable key and its identity secret, this once. */
export interface CreatedWidgetKey {
  id: string;
  name: string;
  key: string;
  identitySecret: string;
}

const create = memberAction({ roles: OWNERS_AND_ADMINS, schema: CreateWidgetKeyForm }, async ({ member, db, input }) => {
  const { record, key, identitySecret } = await createWidgetKey(db, { orgId: member.orgId, userId: member.userId }, input);
  revalidatePath(widgetPageOf(record.agentId));
  return { id: record.publicId, name: record.name, key, identitySecret } satisfies CreatedWidgetKey;
});

export async function createWidgetKeyAction(
  previous: ActionState<CreatedWidgetKey>,
  form: FormData,
): Promise<ActionState<CreatedWidgetKey>> {
  return create(previous, form);
}

const update = memberAction({ roles: OWNERS_AND_ADMINS, schema: UpdateWidgetKeyForm }, async ({ member, db, input }) => {
  const { id, ...changes } = input;
  const updated = await updateWidgetKey(db, member.orgId, id, changes);
  revalidatePath(widgetPageOf(updated.agentId));
  return updated.publicId;
});

export async function updateWidgetKeyAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return update(previous, form);
}

const revoke = memberAction({ roles: OWNERS_AND_ADMINS, schema: WidgetKeyIdForm }, async ({ member, db, input }) => {
  const revoked = await revokeWidgetKey(db, member.orgId, input.id);
  revalidatePath(widgetPageOf(revoked.agentId));
  return revoked.publicId;
});

export async function revokeWidgetKeyAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return revoke(previous, form);
}
