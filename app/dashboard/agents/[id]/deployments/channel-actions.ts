"use server";

import { revalidatePath } from "next/cache";
import { OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import { createChannel, deleteChannel, getChannel, updateChannel } from "@/lib/channels";
import type { ActionState } from "@/lib/forms";
import { memberAction } from "@/lib/session/actions";
import { ChannelEnabledForm, ChannelIdForm, ConnectChannelForm, ReplaceCredentialsForm } from "./channel-schemas";

/*
 * As on /api/channels: owners and admins connect, change and delete channels; every member sees
 * them. The work is the API's own services.
 */

const channelsPageOf = (agentId: string) => `/dashboard/agents/${agentId}/deployments/channels`;

/** What connecting a channel answers: an email connection's inbox secret, this once. */
export interface ConnectedChannel {
  id: string;
  name: string;
  inboxSecret: string | null;
}

const connect = memberAction({ roles: OWNERS_AND_ADMINS, schema: ConnectChannelForm }, async ({ member, db, input }) => {
  const { connection, inboxSecret } = await createChannel(db, { orgId: member.orgId, userId: member.userId }, input);
  revalidatePath(channelsPageOf(connection.agentId));
  return { id: connection.publicId, name: connection.name, inboxSecret } satisfies ConnectedChannel;
});

export async function connectChannelAction(
  previous: ActionState<ConnectedChannel>,
  form: FormData,
): Promise<ActionState<ConnectedChannel>> {
  return connect(previous, form);
}

const replace = memberAction({ roles: OWNERS_AND_ADMINS, schema: ReplaceCredentialsForm }, async ({ member, db, input }) => {
  const { id, ...changes } = input;
  const updated = await updateChannel(db, member.orgId, id, changes);
  revalidatePath(channelsPageOf(updated.agentId));
  return updated.publicId;
});

export async function replaceChannelCredentialsAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return replace(previous, form);
}

const setEnabled = memberAction({ roles: OWNERS_AND_ADMINS, schema: ChannelEnabledForm }, async ({ member, db, input }) => {
  const updated = await updateChannel(db, member.orgId, input.id, { enabled: input.enabled });
  revalidatePath(channelsPageOf(updated.agentId));
  return updated.enabled;
});

export async function setChannelEnabledAction(previous: ActionState<boolean>, form: FormData): Promise<ActionState<boolean>> {
  return setEnabled(previous, form);
}

const remove = memberAction({ roles: OWNERS_AND_ADMINS, schema: ChannelIdForm }, async ({ member, db, input }) => {
  const { agentId } = await getChannel(db, member.orgId, input.id);
  await deleteChannel(db, member.orgId, input.id);
  revalidatePath(channelsPageOf(agentId));
  return input.id;
});

export async function deleteChannelAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return remove(previous, form);
}
