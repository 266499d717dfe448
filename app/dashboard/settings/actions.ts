"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { MemberRole } from "@/lib/accounts";
import { OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import type { ActionState } from "@/lib/forms";
import { changeMemberRole, createInvitation, removeMember, revokeInvitation } from "@/lib/orgs";
import { ChangeRoleForm, InviteForm, OrganisationForm, RemoveMemberForm, RevokeInvitationForm } from "@/lib/orgs/schemas";
import { updateOrganisation } from "@/lib/orgs/settings";
import { memberAction } from "@/lib/session/actions";

/*
 * Each action names the roles it admits (checked on the server, so a forged post is refused) and
 * calls the service the API calls; the services apply the owner rules whoever asks.
 */

const updateOrg = memberAction({ roles: OWNERS_AND_ADMINS, schema: OrganisationForm }, async ({ member, db, input }) => {
  await updateOrganisation(db, member, input);
});

export async function updateOrganisationAction(previous: ActionState<void>, form: FormData): Promise<ActionState<void>> {
  const state = await updateOrg(previous, form);
  // The organisation's name shows in the dashboard's navigation too.
  if (state.ok) revalidatePath("/dashboard", "layout");
  return state;
}

export interface InviteResult {
  path: string;
  email: string;
  role: MemberRole;
}

const invite = memberAction({ roles: OWNERS_AND_ADMINS, schema: InviteForm }, async ({ member, db, input }) => {
  const { invitation, token } = await createInvitation(db, member, input);
  return { path: `/invite/${token}`, email: invitation.email, role: invitation.role };
});

/** The link's token is in the answer only: the list shows who was invited, never the link again. */
export async function inviteAction(previous: ActionState<InviteResult>, form: FormData): Promise<ActionState<InviteResult>> {
  const state = await invite(previous, form);
  if (state.ok) revalidatePath("/dashboard/settings/members");
  return state;
}

const revoke = memberAction({ roles: OWNERS_AND_ADMINS, schema: RevokeInvitationForm }, async ({ member, db, input }) => {
  await revokeInvitation(db, member, input.invitation_id);
});

export async function revokeInvitationAction(previous: ActionState<void>, form: FormData): Promise<ActionState<void>> {
  const state = await revoke(previous, form);
  if (state.ok) revalidatePath("/dashboard/settings/members");
  return state;
}

const changeRole = memberAction({ roles: OWNERS_AND_ADMINS, schema: ChangeRoleForm }, async ({ member, db, input }) => {
  await changeMemberRole(db, member, input.user_id, input.role);
});

export async function changeRoleAction(previous: ActionState<void>, form: FormData): Promise<ActionState<void>> {
  const state = await changeRole(previous, form);
  if (state.ok) revalidatePath("/dashboard", "layout");
  return state;
}

const remove = memberAction({ roles: OWNERS_AND_ADMINS, schema: RemoveMemberForm }, async ({ member, db, input }) => {
  await removeMember(db, member, input.user_id);
  return input.user_id === member.userId;
});

/** An owner or admin who removed themselves has left: their dashboard is another organisation's, or none. */
export async function removeMemberAction(previous: ActionState<boolean>, form: FormData): Promise<ActionState<boolean>> {
  const state = await remove(previous, form);
  if (state.ok && state.result) redirect("/dashboard");
  if (state.ok) revalidatePath("/dashboard/settings/members");
  return state;
}
