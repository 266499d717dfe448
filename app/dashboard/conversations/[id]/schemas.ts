import { z } from "zod";

/** The channel forms of a conversation page: checked in the browser and again by their server actions. */

const conversationId = z.uuid({ error: "Which conversation?" });

export const TakeOverForm = z.object({
  conversation_id: conversationId,
  take_over: z.enum(["true", "false"], { error: "Take over or hand back?" }).transform((value) => value === "true"),
});

/** Longer texts are refused by most channels anyway (WhatsApp's limit is 4,096 characters). */
export const MEMBER_REPLY_MAX_CHARS = 4_000;

export const MemberReplyForm = z.object({
  conversation_id: conversationId,
  text: z
    .string({ error: "Write a reply" })
    .trim()
    .min(1, "Write a reply")
    .max(MEMBER_REPLY_MAX_CHARS, `Use at most ${MEMBER_REPLY_MAX_CHARS.toLocaleString("en")} characters`),
});
