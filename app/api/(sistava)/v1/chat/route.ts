import { agentForKey } from "@/lib/agents/door";
import { runAgent } from "@/lib/agents/run";
import { v1ChatRequestSchema } from "@/lib/agents/schemas";
import { sistava } from "@/lib/surfaces";

/** Sistava-compatible synchronous chat: blocks until the agent answers (or the run times out). */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = sistava.methods({
  POST: sistava.route({ body: v1ChatRequestSchema }, async ({ auth, body, request, context }) => {
    const target = await agentForKey(auth, body.employee_id, "employee_id");
    const result = await runAgent({
      key: auth.key,
      target,
      messages: [{ role: "user", content: body.prompt }],
      channel: "api",
      timing: context.timing,
      signal: request.signal,
    });
    return { message_id: result.messageId, employee_id: target.agent.id, content: result.content };
  }),
});
