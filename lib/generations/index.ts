/**
 * The one run pipeline: every door (chat, v1 chat, generate, tasks, agent-to-agent) maps its
 * request to a RunRequest and the GenerationOutcome to its own response shape.
 */
export { getGeneration, onResumedRun, reviewResumeHandler, submitToolOutputs, type ResumedRun } from "./resume";
export { flushGenerationRecords } from "./records";
export { keyConversationTurns } from "./key-conversations";
export { serializeGeneration, serializeToolCalls, serializeToolEvent } from "./serialize";
export { startGeneration, streamGeneration } from "./start";
export type { ChatTurn, Door, GenerationEvent, GenerationOutcome, PendingToolCall, RunCaller, RunRequest, StartedStream } from "./types";
