import { APPROVAL_TOKEN_FAILURE_STATUS, ValidateApprovalTokenRequest, validateApprovalToken } from "@/lib/gate";
import { gateApprovalValidation } from "@/lib/surfaces";

/** Validates and consumes a one-time approval token: 200 `{"valid":true}` once; every refusal is a 4xx with JSON. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = gateApprovalValidation.methods({
  POST: gateApprovalValidation.route({ body: ValidateApprovalTokenRequest }, async ({ auth, body, db }) => {
    const check = await validateApprovalToken(db, {
      orgId: auth.agent.orgId,
      gateAgentId: auth.agent.id,
      taskId: body.task_id,
      signature: body.signature,
    });
    return Response.json(check, { status: check.valid ? 200 : APPROVAL_TOKEN_FAILURE_STATUS[check.reason] });
  }),
});
