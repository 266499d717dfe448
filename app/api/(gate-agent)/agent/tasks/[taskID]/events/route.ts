import { getDb } from "@/lib/db";
import { authenticateGateAgent, GATE_MAX_BODY_BYTES, renderGateError } from "@/lib/gate/http";
import { eventRequest, logEvent } from "@/lib/gate/service";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";

/** Logs a task event into the reviewer timeline (revision events revise a pending request). */
export const POST = apiRoute<{ taskID: string }>(async (request, context, { taskID }) => {
  const agent = await authenticateGateAgent(request, context);
  const body = parseInput(eventRequest, await readJsonBody(request, GATE_MAX_BODY_BYTES));
  await logEvent(await getDb(), agent, taskID, body);
  return new Response(null, { status: 201 });
}, renderGateError);
