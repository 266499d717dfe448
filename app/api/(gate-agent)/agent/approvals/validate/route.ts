import { z } from "zod";
import { validateApprovalToken } from "@/lib/gate/tokens";
import { gateAgent } from "@/lib/surfaces";

const validateRequest = z.object({ task_id: z.string().min(1), signature: z.string().min(1) });

/** Validates and consumes a one-time approval token; answers JSON, valid or not. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = gateAgent.methods({
  POST: gateAgent.route({ body: validateRequest }, async ({ auth, body, db }) =>
    validateApprovalToken(db, { orgId: auth.agent.orgId, gateAgentId: auth.agent.id, taskId: body.task_id, signature: body.signature }),
  ),
});
