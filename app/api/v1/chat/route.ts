import { agentForKey } from "@/lib/agents/door";
import { v1ChatRequestSchema } from "@/lib/agents/schemas";
import { authenticateApiKey } from "@/lib/auth";
import { v1ChatReply } from "@/lib/doors/chat";
import { startGeneration } from "@/lib/generations";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";

/** Sistava-compatible synchronous chat: blocks until the agent answers (or the run times out). */
export const POST = apiRoute(async (request, context) => {
  const auth = await authenticateApiKey(request, context);
  const body = parseInput(v1ChatRequestSchema, await readJsonBody(request));
  const target = await agentForKey(auth, body.employee_id, "employee_id");
  const outcome = await startGeneration(
    { door: "v1_chat", agentRef: target.agent.id, messages: [{ role: "user", content: body.prompt }] },
    { key: auth.key, timing: context.timing, signal: request.signal },
  );
  return Response.json(v1ChatReply(outcome, target.agent.id), { headers: auth.rateLimitHeaders });
});
