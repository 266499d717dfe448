/**
 * The approval gate: the agent API (Stacksona-compatible, `sg_…` keys, plain-text errors) and
 * its administration and review (personal access tokens, Conduit's error envelope).
 */
import { schemaRef, toSchemaObject, type JsonSchema } from "../components";
import { GateThreadSummaryResponse } from "@/lib/contracts";
import { APPROVAL_TOKEN_FAILURE_STATUS } from "@/lib/gate/tokens";
import { emptyResponse, json, ok, operation, pathParam, queryParam, surfaces, type Paths } from "../operation";

const agentApi = surfaces.gateAgent;
const administration = surfaces.administration;
const taskId = pathParam("taskID", "Your task's id");
const gateAgentId = pathParam("id", "The gate agent's id");
const gateToolId = pathParam("id", "The tool's id");
const threadId = pathParam("thread_id", "The thread's id (`THR-…`)");

const failureStatuses = [...new Set(Object.values(APPROVAL_TOKEN_FAILURE_STATUS))];
const tokenRefusals: Record<number, string> = {
  ...Object.fromEntries(failureStatuses.map((status) => [status, "The approval token did not validate (the reason says why)"])),
  400: "task_id or signature missing or malformed (`reason: malformed`)",
  413: "Request body too large (`reason: malformed`)",
};

/**
 * The validate endpoint answers refused tokens and input it cannot check in JSON; where a status
 * is also one of the surface's plain-text errors (403), both bodies are documented.
 */
function withTokenRefusals(documented: JsonSchema): JsonSchema {
  const responses = { ...(documented.responses as Record<string, { description: string; content?: JsonSchema }>) };
  for (const [status, description] of Object.entries(tokenRefusals)) {
    const surfaceError = responses[status];
    responses[status] = {
      description: surfaceError ? `${description}; or, in plain text: ${surfaceError.description}` : description,
      content: { ...json(schemaRef("ValidateApprovalTokenError")), ...surfaceError?.content },
    };
  }
  return { ...documented, responses };
}

const agentApiPaths: Paths = {
  "/api/agent/tasks/{taskID}/requests": {
    post: operation(agentApi, "requestGateDecision", {
      tag: "approvalGate",
      summary: "Ask whether the agent may proceed with an action",
      description: "The tool's rules allow or reject at once, or open a review thread (`pending_review`).",
      parameters: [taskId],
      body: "GateDecisionRequest",
      responses: { 200: ok("Decided by the rules, or sent for review", "GateRequestResponse") },
      errors: [400, 401, 403, 413, 429],
    }),
  },
  "/api/agent/tasks/{taskID}/events": {
    post: operation(agentApi, "logGateEvent", {
      tag: "approvalGate",
      summary: "Log a task event into the reviewer timeline",
      description: "`revision.{taskID}.{threadID}` events with `payload.revision` revise a pending request; the rules decide again.",
      parameters: [taskId],
      body: "GateEventRequest",
      responses: { 201: emptyResponse("Logged (empty body)") },
      errors: [400, 401, 403, 404, 413, 429],
    }),
  },
  "/api/agent/decisions": {
    get: operation(agentApi, "getGateDecision", {
      tag: "approvalGate",
      summary: "Poll for a decision",
      parameters: [
        queryParam("thread_id", { type: "string" }, "Preferred: the thread the request opened"),
        queryParam("task_id", { type: "string" }, "Alternative to thread_id: the task's latest request"),
      ],
      responses: { 200: ok("The decision, or that the review is pending", "GateDecisionResponse") },
      errors: [400, 401, 403, 404, 429],
    }),
  },
  "/api/agent/approvals/validate": {
    post: withTokenRefusals(
      operation(agentApi, "validateApprovalToken", {
        tag: "approvalGate",
        summary: "Validate and consume a one-time approval token",
        description:
          "Valid exactly once (200). Every refusal is a 4xx with a JSON body `{valid: false, reason}`: 403 invalid or bound to another task, 409 already used, 410 expired, 400 a missing or malformed task_id or signature. Errors of the key itself (401, 403, 429) are plain text like the rest of the gate.",
        body: "ValidateApprovalTokenRequest",
        responses: { 200: ok("The token held; it is now used up", "ValidateApprovalTokenResponse") },
        errors: [401, 403, 429],
      }),
    ),
  },
};

const administrationPaths: Paths = {
  "/api/gate/agents": {
    get: operation(administration, "listGateAgents", {
      tag: "gateAdministration",
      summary: "List gate agents",
      responses: { 200: ok("Gate agents, newest first", "GateAgentListResponse") },
      errors: [401, 429],
    }),
    post: operation(administration, "createGateAgent", {
      tag: "gateAdministration",
      summary: "Register a gate agent",
      body: "CreateGateAgentRequest",
      responses: { 201: ok("The agent, with its key and webhook secret (shown only here)", "CreateGateAgentResponse") },
      errors: [400, 401, 404, 413, 429],
    }),
  },
  "/api/gate/agents/{id}": {
    get: operation(administration, "getGateAgent", {
      tag: "gateAdministration",
      summary: "Get a gate agent",
      parameters: [gateAgentId],
      responses: { 200: ok("The gate agent", "GateAgentResponse") },
      errors: [401, 404, 429],
    }),
    put: operation(administration, "updateGateAgent", {
      tag: "gateAdministration",
      summary: "Change a gate agent's settings, pause or revoke it",
      parameters: [gateAgentId],
      body: "UpdateGateAgentRequest",
      responses: { 200: ok("The gate agent", "GateAgentResponse") },
      errors: [400, 401, 404, 413, 429],
    }),
  },
  "/api/gate/agents/{id}/regenerate-key": {
    post: operation(administration, "regenerateGateAgentKey", {
      tag: "gateAdministration",
      summary: "Replace a gate agent's key",
      description: "The old key stops working at once.",
      parameters: [gateAgentId],
      responses: { 200: ok("The agent, with its new key (shown only here)", "RegenerateGateKeyResponse") },
      errors: [400, 401, 404, 429],
    }),
  },
  "/api/gate/tools": {
    get: operation(administration, "listGateTools", {
      tag: "gateAdministration",
      summary: "List registered tools",
      responses: { 200: ok("Tools with their rules", "GateToolListResponse") },
      errors: [401, 429],
    }),
    post: operation(administration, "createGateTool", {
      tag: "gateAdministration",
      summary: "Register a tool with its default action and rules",
      body: "CreateGateToolRequest",
      responses: { 201: ok("The tool", "GateToolResponse") },
      errors: [400, 401, 409, 413, 429],
    }),
  },
  "/api/gate/tools/{id}": {
    get: operation(administration, "getGateTool", {
      tag: "gateAdministration",
      summary: "Get a tool with its rules",
      parameters: [gateToolId],
      responses: { 200: ok("The tool", "GateToolResponse") },
      errors: [401, 404, 429],
    }),
    put: operation(administration, "updateGateTool", {
      tag: "gateAdministration",
      summary: "Change a tool's description, default action or rules",
      parameters: [gateToolId],
      body: "UpdateGateToolRequest",
      responses: { 200: ok("The tool", "GateToolResponse") },
      errors: [400, 401, 404, 413, 429],
    }),
  },
};

const reviewPaths: Paths = {
  "/api/gate/threads": {
    get: operation(administration, "listGateThreads", {
      tag: "gateReview",
      summary: "List review threads, elevated first",
      description: "Elevated (escalated) threads first, then by risk level from critical to low or none, then newest first.",
      parameters: [
        queryParam("status", toSchemaObject(GateThreadSummaryResponse.shape.status, "output"), "Only threads in this status"),
        queryParam("risk_level", { type: "string" }, "Only threads of this risk level"),
      ],
      responses: { 200: ok("Threads (at most 200)", "GateThreadListResponse") },
      errors: [401, 429],
    }),
  },
  "/api/gate/threads/{thread_id}": {
    get: operation(administration, "getGateThread", {
      tag: "gateReview",
      summary: "Open a thread: the request, its images, the task's timeline and the decision history",
      parameters: [threadId],
      responses: { 200: ok("The thread", "GateThreadResponse") },
      errors: [401, 404, 429],
    }),
  },
  "/api/gate/threads/{thread_id}/decision": {
    post: operation(administration, "decideGateThread", {
      tag: "gateReview",
      summary: "Approve, reject (final) or escalate a thread",
      description: "A final decision notifies the gate agent by the `gateDecision` webhook.",
      parameters: [threadId],
      body: "ReviewerDecisionRequest",
      responses: { 200: ok("The thread after the decision", "GateThreadResponse") },
      errors: [400, 401, 404, 413, 429],
    }),
  },
};

export const gatePaths: Paths = { ...agentApiPaths, ...administrationPaths, ...reviewPaths };
