import type { OpenAiErrorResponse } from "@/lib/contracts";
import type { ApiError, ErrorCode } from "@/lib/errors";
import type { RequestContext } from "@/lib/http";

/** How a dialect writes an ApiError: every error of a surface goes through its one renderer. */
export type ErrorRenderer = (error: ApiError, context: RequestContext) => Response;

/** Conduit's own (also Sistava's): `{ error: { code, message, details?, request_id } }`. */
export const conduitEnvelope: ErrorRenderer = (error, context) =>
  Response.json(
    {
      error: {
        code: error.code,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
        request_id: context.requestId,
      },
    },
    { status: error.status, headers: error.headers },
  );

/** The Agents API's (SOAT): `{ error: "message" }`. */
export const agentsApiEnvelope: ErrorRenderer = (error) =>
  Response.json({ error: error.message }, { status: error.status, headers: error.headers });

/**
 * Sois's: `{ error: { code, message } }`, where the errors it calls validation errors are
 * 422 VALIDATION_ERROR. Which of Conduit's codes count as such differs by surface.
 */
export function soisEnvelope(validationCodes: readonly ErrorCode[]): ErrorRenderer {
  return (error) => {
    const validation = validationCodes.includes(error.code);
    return Response.json(
      { error: { code: validation ? "VALIDATION_ERROR" : error.code, message: error.message } },
      { status: validation ? 422 : error.status, headers: error.headers },
    );
  };
}

/** Stacksona's gate answers errors in plain text. */
export const plainTextEnvelope: ErrorRenderer = (error) =>
  new Response(error.message, { status: error.status, headers: { ...error.headers, "Content-Type": "text/plain; charset=utf-8" } });

/** Errors of input that could not be read or checked, as opposed to who the caller is or may do. */
const INPUT_ERRORS: readonly ErrorCode[] = ["INVALID_JSON", "VALIDATION_FAILED", "BAD_REQUEST", "PAYLOAD_TOO_LARGE"];

/**
 * The gate's validate endpoint: a request it cannot check is refused like a token that fails,
 * as JSON `{valid: false, reason: "malformed", message}`, so a client reading the body never
 * mistakes it for anything else; errors of the key (401, 403, 429) stay plain text, as on the
 * rest of the gate.
 */
export const approvalValidationEnvelope: ErrorRenderer = (error, context) =>
  INPUT_ERRORS.includes(error.code)
    ? Response.json({ valid: false, reason: "malformed", message: error.message }, { status: error.status, headers: error.headers })
    : plainTextEnvelope(error, context);

/** JSON-RPC 2.0 error codes for refusals that happen before a message is read. */
const jsonRpcCodes: Partial<Record<ErrorCode, number>> = {
  INVALID_JSON: -32700,
  VALIDATION_FAILED: -32600,
  BAD_REQUEST: -32600,
};
/** The JSON-RPC range reserved for implementation-defined server errors. */
export const JSON_RPC_SERVER_ERROR = -32000;

/** A JSON-RPC 2.0 error object: the protocol's code, with Conduit's code, the HTTP status it stands for and the request id in `data`. */
export function jsonRpcError(error: ApiError, requestId: string, code = jsonRpcCodes[error.code] ?? JSON_RPC_SERVER_ERROR) {
  return {
    code,
    message: error.message,
    data: { code: error.code, status: error.status, ...(error.details ? { details: error.details } : {}), request_id: requestId },
  };
}

/**
 * The JSON-RPC servers' (MCP, A2A): a JSON-RPC error object (no request id: the message was
 * never read) with the HTTP status. A 401 names the scheme to use.
 */
export const jsonRpcEnvelope: ErrorRenderer = (error, context) => {
  const headers: Record<string, string> = { ...error.headers };
  if (error.status === 401) headers["WWW-Authenticate"] = 'Bearer realm="conduit"';
  return Response.json({ jsonrpc: "2.0", error: jsonRpcError(error, context.requestId), id: null }, { status: error.status, headers });
};
/** Codes that mean money or a plan's allowance ran out, which OpenAI calls a quota. */
const QUOTA_ERRORS: readonly ErrorCode[] = ["BUDGET_EXCEEDED", "MESSAGE_LIMIT_REACHED", "TOKEN_LIMIT_REACHED"];
/** Input that could not be read or checked: OpenAI names no code for these, only the field. */
const UNCODED_INPUT_ERRORS: readonly ErrorCode[] = ["INVALID_JSON", "VALIDATION_FAILED", "BAD_REQUEST"];

/** OpenAI's `type` and `code` for an error, so its clients pick the error class and retry rules they expect. */
function openAiKind(error: ApiError): { type: string; code: string | null } {
  if (error.status === 401) return { type: "invalid_request_error", code: "invalid_api_key" };
  if (error.code === "RATE_LIMITED") return { type: "requests", code: "rate_limit_exceeded" };
  if (QUOTA_ERRORS.includes(error.code)) return { type: "insufficient_quota", code: "insufficient_quota" };
  if (error.code === "NOT_FOUND") return { type: "invalid_request_error", code: error.param === "model" ? "model_not_found" : null };
  if (UNCODED_INPUT_ERRORS.includes(error.code)) return { type: "invalid_request_error", code: null };
  // Conduit's own code, lowercased, where OpenAI has no equivalent (run_paused, upstream_error, …).
  return { type: error.status >= 500 ? "server_error" : "invalid_request_error", code: error.code.toLowerCase() };
}

/** The body of an OpenAI error, also written as a streamed chat completion's last event. */
export function openAiErrorBody(error: ApiError): OpenAiErrorResponse {
  return { error: { message: error.message, ...openAiKind(error), param: error.param ?? null } };
}

/** The OpenAI-compatible API's: `{ error: { message, type, param, code } }`, with the request id in X-Request-Id. */
export const openAiEnvelope: ErrorRenderer = (error) =>
  Response.json(openAiErrorBody(error), { status: error.status, headers: error.headers });
