"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import {
  createAutomation,
  deleteAutomation,
  publishAutomation,
  rerun,
  rotateTriggerSecrets,
  triggerUrl,
  unpublishAutomation,
  updateAutomation,
} from "@/lib/automations";
import type { ActionState } from "@/lib/forms";
import { memberAction } from "@/lib/session/actions";
import { AutomationForm, AutomationIdForm } from "./schemas";

/*
 * As on /api/automations: owners and admins create, change, publish and rerun; every member sees
 * automations and their runs. The work is the API's own services.
 */

const LIST = "/dashboard/automations";
const pageOf = (id: string) => `${LIST}/${id}`;

/** The trigger's secrets, at their only showing. */
export interface TriggerSecrets {
  id: string;
  name: string;
  triggerUrl: string;
  bearerSecret: string;
  signingSecret: string;
}

/** What the editor's form answers: a new automation's trigger secrets, or the saved one's id. */
export type EditorResult = { created: TriggerSecrets } | { saved: string };

/** Creates the automation (no id) or saves its draft; the published snapshot is changed only by publishing. */
const submit = memberAction({ roles: OWNERS_AND_ADMINS, schema: AutomationForm }, async ({ member, db, input }): Promise<EditorResult> => {
  if (input.id) {
    const updated = await updateAutomation(db, member.orgId, input.id, { name: input.name, steps: input.steps });
    revalidatePath(pageOf(updated.publicId));
    return { saved: updated.publicId };
  }
  const created = await createAutomation(db, { orgId: member.orgId, userId: member.userId }, { name: input.name, steps: input.steps });
  revalidatePath(LIST);
  return {
    created: {
      id: created.automation.publicId,
      name: created.automation.name,
      triggerUrl: triggerUrl(created.automation),
      bearerSecret: created.bearerSecret,
      signingSecret: created.signingSecret,
    },
  };
});

export async function submitAutomationAction(previous: ActionState<EditorResult>, form: FormData): Promise<ActionState<EditorResult>> {
  return submit(previous, form);
}

const publish = memberAction({ roles: OWNERS_AND_ADMINS, schema: AutomationIdForm }, async ({ member, db, input }) => {
  const published = await publishAutomation(db, member.orgId, input.id);
  revalidatePath(pageOf(published.publicId));
  return published.publicId;
});

export async function publishAutomationAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return publish(previous, form);
}

const unpublish = memberAction({ roles: OWNERS_AND_ADMINS, schema: AutomationIdForm }, async ({ member, db, input }) => {
  const unpublished = await unpublishAutomation(db, member.orgId, input.id);
  revalidatePath(pageOf(unpublished.publicId));
  return unpublished.publicId;
});

export async function unpublishAutomationAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return unpublish(previous, form);
}

const rotate = memberAction({ roles: OWNERS_AND_ADMINS, schema: AutomationIdForm }, async ({ member, db, input }) => {
  const rotated = await rotateTriggerSecrets(db, member.orgId, input.id);
  revalidatePath(pageOf(input.id));
  return { bearerSecret: rotated.bearer_secret, signingSecret: rotated.signing_secret };
});

export async function rotateTriggerSecretsAction(
  previous: ActionState<{ bearerSecret: string; signingSecret: string }>,
  form: FormData,
): Promise<ActionState<{ bearerSecret: string; signingSecret: string }>> {
  return rotate(previous, form);
}

const remove = memberAction({ roles: OWNERS_AND_ADMINS, schema: AutomationIdForm }, async ({ member, db, input }) => {
  await deleteAutomation(db, member.orgId, input.id);
  return input.id;
});

export async function deleteAutomationAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  const state = await remove(previous, form);
  if (state.ok) {
    revalidatePath(LIST);
    redirect(LIST);
  }
  return state;
}

const again = memberAction({ roles: OWNERS_AND_ADMINS, schema: AutomationIdForm }, async ({ member, db, input }) => {
  const run = await rerun(db, member.orgId, input.id);
  return run.publicId;
});

/** Runs a run's payload again; the new run's page opens. */
export async function rerunAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  const state = await again(previous, form);
  if (state.ok && state.result) redirect(`${LIST}/runs/${state.result}`);
  return state;
}
