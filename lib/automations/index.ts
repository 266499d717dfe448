export {
  agentChoices,
  createAutomation,
  deleteAutomation,
  getAutomation,
  listAutomations,
  publishAutomation,
  rotateTriggerSecrets,
  serializeAutomation,
  serializeCreatedAutomation,
  triggerUrl,
  unpublishAutomation,
  updateAutomation,
} from "./manage";
export { getRun, listRuns, rerun, serializeRun, serializeRunSummaries } from "./runs";
export { CreateAutomationRequest, ListAutomationRunsQuery, UpdateAutomationRequest } from "./schemas";
export { automationRunHandler, continueAfterReview } from "./execute";
export { receiveTrigger } from "./trigger";
