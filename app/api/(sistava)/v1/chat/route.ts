import { agentForKey } from "@/lib/doors/agent";
import { v1ChatRequestSchema } from "@/lib/agents/schemas";
import { v1ChatReply } from "@/lib/doors/chat";
import { startGeneration } from "@/lib/generations";
import { sistava } from "@/lib/surfaces";

/** Sistava-compatible synchronous chat: blocks until the agent answers (or the run times out). */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = sistava.methods({
  POST: sistava.route({ body: v1ChatRequestSchema }, async ({ auth, body, request, context }) => {
    const target = await agentForKey(auth, body.employee_id, "employee_id");
    const outcome = await startGeneration(
      { door: "v1_chat", agentRef: target.agent.id, messages: [{ role: "user", content: body.prompt }] },
      { key: auth.key, timing: context.timing, signal: request.signal },
    );
    return v1ChatReply(outcome, target.agent.id);
  }),
});
