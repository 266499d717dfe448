import { getDb } from "@/lib/db";
import { authenticateGateAgent, GATE_MAX_BODY_BYTES, renderGateError } from "@/lib/gate/http";
import { decisionRequest, requestDecision } from "@/lib/gate/service";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";

/** Asks whether the agent may proceed: allow, reject, or pending_review with a thread. */
export const POST = apiRoute<{ taskID: string }>(async (request, context, { taskID }) => {
  const agent = await authenticateGateAgent(request, context);
  const body = parseInput(decisionRequest, await readJsonBody(request, GATE_MAX_BODY_BYTES));
  return Response.json(await requestDecision(await getDb(), agent, taskID, body));
}, renderGateError);
