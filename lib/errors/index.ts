import { describeFailure, stackFrames } from "@/lib/runtime/failure";

/** Every failure Conduit reports on purpose; the code decides the HTTP status. */
const statusByCode = {
  BAD_REQUEST: 400,
  INVALID_JSON: 400,
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  INVALID_API_KEY: 401,
  FORBIDDEN: 403,
  CHANNEL_DISABLED: 403,
  KEY_OWNER_MISMATCH: 403,
  KEY_REVOKED: 403,
  PROVIDER_KEY_MISSING: 400,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  RUN_PAUSED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION_ERROR: 422,
  RATE_LIMITED: 429,
  BUDGET_EXCEEDED: 429,
  MESSAGE_LIMIT_REACHED: 429,
  TOKEN_LIMIT_REACHED: 429,
  INTERNAL: 500,
  UPSTREAM_UNAVAILABLE: 502,
  UPSTREAM_ERROR: 502,
  TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof statusByCode;

export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { details?: string[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ApiError";
    this.status = statusByCode[code];
  }

  get details(): string[] | undefined {
    return this.options.details;
  }

  get headers(): Record<string, string> {
    return this.options.headers ?? {};
  }
}

export const notFound = (what: string) => new ApiError("NOT_FOUND", `${what} not found`);

/** Anything that is not an ApiError is a bug: log it, answer generically. */
export function toApiError(error: unknown, requestId: string): ApiError {
  if (error instanceof ApiError) return error;
  console.error(`[conduit] request ${requestId} failed: ${describeFailure(error)}\n${stackFrames(error)}`);
  return new ApiError("INTERNAL", `Internal error; quote request id ${requestId} when reporting it`);
}
