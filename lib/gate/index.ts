/**
 * The approval gate's public surface: what routes and other lib folders use. Files inside
 * lib/gate import each other directly, never this index.
 */
export {
  createGateAgent,
  gateAgentSettings,
  getGateAgent,
  listGateAgents,
  regenerateGateKey,
  serializeGateAgent,
  updateGateAgent,
  updateGateAgentRequest,
} from "./agents";
export { GateEventRequest, logEvent } from "./events";
export { GateDecisionRequest, pollDecision, pollDecisionQuery, requestDecision } from "./requests";
export { listThreads, listThreadsQuery, openThread, reviewThread } from "./reviews";
export { OPEN_STATUSES, RISK_LEVELS, ReviewerDecisionRequest, THREAD_STATUSES } from "./schemas";
export { APPROVAL_TOKEN_FAILURE_STATUS, issueApprovalToken, ValidateApprovalTokenRequest, validateApprovalToken } from "./tokens";
export {
  createGateTool,
  createGateToolRequest,
  findGateToolByName,
  getGateTool,
  listGateTools,
  serializeGateTool,
  updateGateTool,
  updateGateToolRequest,
} from "./tools";
