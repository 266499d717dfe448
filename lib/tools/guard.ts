import { config } from "@/lib/config";
import { createGuardedFetch as createNetFetch, createOutboundGuard, type GuardedFetch } from "@/lib/net";
import { ToolError } from "./errors";

/** Tools' outgoing calls: whatever the guard refuses is a ToolError, which the model is told about. */
const toolGuard = createOutboundGuard(ToolError);

export const { assertAllowedUrl, lookup: guardedLookup, request: guardedRequest } = toolGuard;

/** The MCP client transport's fetch: guarded, each response body capped at TOOL_MAX_RESPONSE_BYTES. */
export function createGuardedFetch(onOversized: (error: ToolError) => void): GuardedFetch {
  return createNetFetch(toolGuard, { maxResponseBytes: config().TOOL_MAX_RESPONSE_BYTES, onOversized });
}
