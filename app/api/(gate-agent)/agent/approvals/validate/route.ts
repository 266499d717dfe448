import { z } from "zod";
import { getDb } from "@/lib/db";
import { authenticateGateAgent, renderGateError } from "@/lib/gate/http";
import { validateApprovalToken } from "@/lib/gate/tokens";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";

const validateRequest = z.object({ task_id: z.string().min(1), signature: z.string().min(1) });

/** Validates and consumes a one-time approval token; answers JSON, valid or not. */
export const POST = apiRoute(async (request, context) => {
  const agent = await authenticateGateAgent(request, context);
  const body = parseInput(validateRequest, await readJsonBody(request));
  const result = await validateApprovalToken(await getDb(), {
    orgId: agent.orgId,
    gateAgentId: agent.id,
    taskId: body.task_id,
    signature: body.signature,
  });
  return Response.json(result);
}, renderGateError);
