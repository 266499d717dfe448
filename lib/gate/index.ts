/**
 * The approval gate's public surface: what routes and other lib folders use. Files inside
 * lib/gate import each other directly, never this index.
 */
export {
  createGateAgent,
  gateAgentSettings,
  getGateAgent,
  regenerateGateKey,
  serializeGateAgent,
  updateGateAgent,
  updateGateAgentRequest,
} from "./agents";
export { eventRequest, logEvent } from "./events";
export { authenticateGateAgent, GATE_MAX_BODY_BYTES, renderGateError } from "./http";
export { decisionRequest, pollDecision, requestDecision } from "./requests";
export { listThreads, openThread, reviewerDecisionRequest, reviewThread } from "./reviews";
export { issueApprovalToken, validateApprovalToken } from "./tokens";
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
