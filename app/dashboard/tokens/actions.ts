"use server";

import { revalidatePath } from "next/cache";
import { createPersonalToken, revokePersonalToken } from "@/lib/auth/personal-tokens";
import { ANY_ROLE } from "@/lib/auth/user-tokens";
import type { ActionState } from "@/lib/forms";
import { memberAction } from "@/lib/session/actions";
import { CreateTokenForm, TokenIdForm } from "./schemas";

/* Everyone manages their own tokens, as on /api/personal-tokens; the services are the API's. */

export interface CreatedToken {
  name: string;
  secret: string;
}

const create = memberAction({ roles: ANY_ROLE, schema: CreateTokenForm }, async ({ member, db, input }) => {
  const { record, secret } = await createPersonalToken(db, member, input);
  revalidatePath("/dashboard/tokens");
  return { name: record.name, secret } satisfies CreatedToken;
});

export async function createTokenAction(previous: ActionState<CreatedToken>, form: FormData): Promise<ActionState<CreatedToken>> {
  return create(previous, form);
}

const revoke = memberAction({ roles: ANY_ROLE, schema: TokenIdForm }, async ({ member, db, input }) => {
  const token = await revokePersonalToken(db, member, input.id);
  revalidatePath("/dashboard/tokens");
  return token.publicId;
});

export async function revokeTokenAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return revoke(previous, form);
}
