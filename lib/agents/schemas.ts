import { z } from "zod";

export const chatTurnSchema = z.object({
  role: z.enum(["user", "assistant", "system"], { error: "role must be one of user, assistant, system" }),
  content: z.string({ error: "content must be a string" }).trim().min(1, "content must not be empty"),
});

/** `POST /api/agents/{agentId}/chat` */
export const ChatRequest = z.object({
  messages: z
    .array(chatTurnSchema, { error: "messages must be an array of { role, content }" })
    .min(1, "messages must contain at least one turn"),
  stream: z.boolean({ error: "stream must be a boolean" }).optional().default(false),
});

/** `POST /api/v1/chat` (Sistava-compatible) */
export const V1ChatRequest = z.object({
  employee_id: z.uuid({ error: "employee_id must be a UUID" }),
  prompt: z.string({ error: "prompt must be a string" }).trim().min(1, "prompt must not be empty"),
});

// The names route handlers import today; new code uses the names above.
export { ChatRequest as chatRequestSchema, V1ChatRequest as v1ChatRequestSchema };
