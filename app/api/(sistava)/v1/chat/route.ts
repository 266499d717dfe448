import { agentForKey } from "@/lib/agents/door";
import { runAgent } from "@/lib/agents/run";
import { v1ChatRequestSchema } from "@/lib/agents/schemas";
import { authenticateApiKey } from "@/lib/auth";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";

/** Sistava-compatible synchronous chat: blocks until the agent answers (or the run times out). */
export const POST = apiRoute(async (request, context) => {
  const auth = await authenticateApiKey(request, context);
  const body = parseInput(v1ChatRequestSchema, await readJsonBody(request));
  const target = await agentForKey(auth, body.employee_id, "employee_id");
  const result = await runAgent({
    key: auth.key,
    target,
    messages: [{ role: "user", content: body.prompt }],
    channel: "api",
    timing: context.timing,
    signal: request.signal,
  });
  return Response.json(
    { message_id: result.messageId, employee_id: target.agent.id, content: result.content },
    { headers: auth.rateLimitHeaders },
  );
});
