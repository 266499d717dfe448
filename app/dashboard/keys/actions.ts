"use server";

import { revalidatePath } from "next/cache";
import { ANY_MEMBER, OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import type { ActionState } from "@/lib/forms";
import { createManagedKey, revokeManagedKey, rotateManagedKey, updateManagedKey } from "@/lib/keys/manage";
import { memberAction } from "@/lib/session/actions";
import { CreateKeyForm, KeyIdForm, UpdateKeyForm } from "./schemas";

/*
 * The roles of /api/api-keys: owners and admins mint, change and rotate keys; members also see
 * and revoke their own; reviewers hold none. The services are the API's.
 */

export interface CreatedKey {
  id: string;
  label: string;
  secret: string;
  signingSecret: string;
}

const create = memberAction({ roles: OWNERS_AND_ADMINS, schema: CreateKeyForm }, async ({ member, db, input }) => {
  const { record, secret, signingSecret } = await createManagedKey(db, member, input);
  revalidatePath("/dashboard/keys");
  return { id: record.publicId, label: record.name, secret, signingSecret } satisfies CreatedKey;
});

export async function createKeyAction(previous: ActionState<CreatedKey>, form: FormData): Promise<ActionState<CreatedKey>> {
  return create(previous, form);
}

const update = memberAction({ roles: OWNERS_AND_ADMINS, schema: UpdateKeyForm }, async ({ member, db, input }) => {
  const { id, ...body } = input;
  const key = await updateManagedKey(db, member, id, body);
  revalidatePath("/dashboard/keys", "layout");
  return key.publicId;
});

export async function updateKeyAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return update(previous, form);
}

export interface RotatedKey {
  id: string;
  secret: string;
}

const rotate = memberAction({ roles: OWNERS_AND_ADMINS, schema: KeyIdForm }, async ({ member, db, input }) => {
  const { record, secret } = await rotateManagedKey(db, member, input.id);
  revalidatePath("/dashboard/keys", "layout");
  return { id: record.publicId, secret } satisfies RotatedKey;
});

export async function rotateKeyAction(previous: ActionState<RotatedKey>, form: FormData): Promise<ActionState<RotatedKey>> {
  return rotate(previous, form);
}

const revoke = memberAction({ roles: ANY_MEMBER, schema: KeyIdForm }, async ({ member, db, input }) => {
  const key = await revokeManagedKey(db, member, input.id);
  revalidatePath("/dashboard/keys", "layout");
  return key.publicId;
});

export async function revokeKeyAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return revoke(previous, form);
}
