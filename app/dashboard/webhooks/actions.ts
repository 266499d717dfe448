"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import type { ActionState } from "@/lib/forms";
import { memberAction } from "@/lib/session/actions";
import { createEndpoint, deleteEndpoint, resendDelivery, rotateEndpointSecret, sendTestEvent, updateEndpoint } from "@/lib/webhooks";
import { CreateEndpointForm, DeliveryIdForm, EnableEndpointForm, EndpointIdForm, UpdateEndpointForm } from "./schemas";

/* Owners and admins change endpoints, as on /api/webhook-endpoints; the services are the API's. */

export interface ShownSecret {
  id: string;
  secret: string;
}

const create = memberAction({ roles: OWNERS_AND_ADMINS, schema: CreateEndpointForm }, async ({ member, db, input }) => {
  const created = await createEndpoint(db, member.orgId, input);
  revalidatePath("/dashboard/webhooks");
  return { id: created.id, secret: created.secret } satisfies ShownSecret;
});

export async function createEndpointAction(previous: ActionState<ShownSecret>, form: FormData): Promise<ActionState<ShownSecret>> {
  return create(previous, form);
}

const update = memberAction({ roles: OWNERS_AND_ADMINS, schema: UpdateEndpointForm }, async ({ member, db, input }) => {
  const updated = await updateEndpoint(db, member.orgId, input.id, input.changes);
  revalidatePath(`/dashboard/webhooks/${updated.publicId}`);
  return updated.publicId;
});

export async function updateEndpointAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return update(previous, form);
}

const enable = memberAction({ roles: OWNERS_AND_ADMINS, schema: EnableEndpointForm }, async ({ member, db, input }) => {
  const updated = await updateEndpoint(db, member.orgId, input.id, { enabled: input.enabled });
  revalidatePath(`/dashboard/webhooks/${updated.publicId}`);
  return updated.publicId;
});

export async function enableEndpointAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return enable(previous, form);
}

const rotate = memberAction({ roles: OWNERS_AND_ADMINS, schema: EndpointIdForm }, async ({ member, db, input }) => {
  const rotated = await rotateEndpointSecret(db, member.orgId, input.id);
  revalidatePath(`/dashboard/webhooks/${rotated.id}`);
  return { id: rotated.id, secret: rotated.secret } satisfies ShownSecret;
});

export async function rotateSecretAction(previous: ActionState<ShownSecret>, form: FormData): Promise<ActionState<ShownSecret>> {
  return rotate(previous, form);
}

const test = memberAction({ roles: OWNERS_AND_ADMINS, schema: EndpointIdForm }, async ({ member, db, input }) => {
  const { endpoint, delivery } = await sendTestEvent(db, member.orgId, input.id);
  revalidatePath(`/dashboard/webhooks/${endpoint.publicId}`);
  return delivery.messageId;
});

export async function sendTestEventAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return test(previous, form);
}

const resend = memberAction({ roles: OWNERS_AND_ADMINS, schema: DeliveryIdForm }, async ({ member, db, input }) => {
  const delivery = await resendDelivery(db, member.orgId, input.id);
  revalidatePath(`/dashboard/webhooks/${delivery.endpoint_id}`);
  return delivery.id;
});

export async function resendDeliveryAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return resend(previous, form);
}

const remove = memberAction({ roles: OWNERS_AND_ADMINS, schema: EndpointIdForm }, async ({ member, db, input }) => {
  await deleteEndpoint(db, member.orgId, input.id);
  revalidatePath("/dashboard/webhooks");
  return input.id;
});

export async function deleteEndpointAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  const state = await remove(previous, form);
  if (state.ok) redirect("/dashboard/webhooks");
  return state;
}
