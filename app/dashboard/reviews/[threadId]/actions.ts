"use server";

import { revalidatePath } from "next/cache";
import { ANY_ROLE } from "@/lib/auth/user-tokens";
import type { GateThreadSummaryResponse } from "@/lib/contracts";
import type { ActionState } from "@/lib/forms";
import { reviewThread } from "@/lib/gate";
import { memberAction } from "@/lib/session/actions";
import { ReviewDecisionForm } from "../schemas";

/*
 * Every role reviews, as on POST /api/gate/threads/{thread_id}/decision; the decision is the API's
 * own service, so approve and reject stay final and the agent hears of them the same way.
 */
const decide = memberAction({ roles: ANY_ROLE, schema: ReviewDecisionForm }, async ({ member, db, input }) => {
  const thread = await reviewThread(db, member.orgId, member.userId, input.thread_id, { action: input.action, message: input.message });
  return thread.status;
});

type Status = GateThreadSummaryResponse["status"];

export async function decideThreadAction(previous: ActionState<Status>, form: FormData): Promise<ActionState<Status>> {
  const state = await decide(previous, form);
  if (state.ok) {
    revalidatePath("/dashboard/reviews");
    revalidatePath(`/dashboard/reviews/${encodeURIComponent(String(form.get("thread_id")))}`);
  }
  return state;
}
