import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { toApiError } from "@/lib/errors";

/** A tool's answer: a line of text for the model, and the same facts as structured content for programs. */
export function toolResult(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text }], structuredContent: structured };
}

/**
 * What a tool the caller may use does when Conduit refuses or fails (budget, rate or plan limit,
 * scope, not found, upstream trouble): an `isError` result naming Conduit's code, so the model
 * reads why. Only the protocol's own failures (unknown method, malformed message) are JSON-RPC errors.
 */
export function toolError(error: unknown, requestId: string): CallToolResult {
  const apiError = toApiError(error, requestId);
  return {
    content: [{ type: "text", text: `${apiError.code}: ${apiError.message}` }],
    structuredContent: { error: { code: apiError.code, status: apiError.status, message: apiError.message, request_id: requestId } },
    isError: true,
  };
}
