"use server";

import { revalidatePath } from "next/cache";
import { ANY_MEMBER } from "@/lib/auth/user-tokens";
import { sendMemberMessage, setAgentPaused } from "@/lib/channels";
import type { ActionState } from "@/lib/forms";
import { memberAction } from "@/lib/session/actions";
import { MemberReplyForm, TakeOverForm } from "./schemas";

/* Owners, admins and members (everyone who reads conversations) may take a channel conversation over and answer in person. */

const pageOf = (conversationId: string) => `/dashboard/conversations/${conversationId}`;

const takeOver = memberAction({ roles: ANY_MEMBER, schema: TakeOverForm }, async ({ member, db, input }) => {
  await setAgentPaused(db, member.orgId, input.conversation_id, member.userId, input.take_over);
  revalidatePath(pageOf(input.conversation_id));
  return input.take_over;
});

export async function takeOverAction(previous: ActionState<boolean>, form: FormData): Promise<ActionState<boolean>> {
  return takeOver(previous, form);
}

const reply = memberAction({ roles: ANY_MEMBER, schema: MemberReplyForm }, async ({ member, db, input }) => {
  await sendMemberMessage(db, member.orgId, input.conversation_id, member.userId, input.text);
  revalidatePath(pageOf(input.conversation_id));
  return input.conversation_id;
});

export async function sendMemberReplyAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return reply(previous, form);
}
