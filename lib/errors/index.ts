import { describeFailure, stackFrames } from "@/lib/runtime/failure";

/** Every failure Conduit reports on purpose; the code decides the HTTP status. */
const statusByCode = {
  BAD_REQUEST: 400,
  INVALID_JSON: 400,
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  INVALID_API_KEY: 401,
  /** A key past its expiry: it no longer authenticates, and the answer says why (unlike an unknown key). */
  KEY_EXPIRED: 401,
  FORBIDDEN: 403,
  CHANNEL_DISABLED: 403,
  KEY_OWNER_MISMATCH: 403,
  KEY_REVOKED: 403,
  PROVIDER_KEY_MISSING: 400,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  RUN_PAUSED: 409,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  STORAGE_LIMIT_REACHED: 413,
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
    readonly options: {
      details?: string[];
      headers?: Record<string, string>;
      cause?: unknown;
      /** The request field the error is about, for dialects whose errors name it (OpenAI's `param`). */
      param?: string;
    } = {},
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

  get param(): string | undefined {
    return this.options.param;
  }
}

export const notFound = (what: string) => new ApiError("NOT_FOUND", `${what} not found`);

/**
 * SQLSTATEs that mean the database refused a value the caller sent (class 22, data exception,
 * and too deep a JSON value). Validation at the door should catch each first; these keep one
 * that slipped through a 400 rather than a 500.
 */
const refusedValues: Record<string, string> = {
  "22001": "a value is too long",
  "22003": "a number is out of range",
  "22007": "a date or time has an invalid format",
  "22008": "a date or time is out of range",
  "22021": "text contains a byte sequence that cannot be stored",
  "22P02": "a value has an invalid format",
  "22P05": "text contains a character that cannot be stored",
  "54001": "a value is nested too deeply",
};

/** The SQLSTATE of a database error, also when the query builder wrapped it (as its cause). */
export function sqlStateOf(error: unknown): string | undefined {
  for (let current = error, hops = 0; typeof current === "object" && current !== null && hops < 3; hops++) {
    if ("code" in current && typeof current.code === "string" && /^[0-9A-Z]{5}$/.test(current.code)) return current.code;
    current = "cause" in current ? current.cause : undefined;
  }
  return undefined;
}

/** A unique constraint refused the write: the caller raced another for a name or id that must be unique. */
export const isUniqueViolation = (error: unknown) => sqlStateOf(error) === "23505";

/**
 * Anything that is not an ApiError is a bug: log it, answer generically. A value the database
 * refused is the caller's input, though: a 400.
 */
export function toApiError(error: unknown, requestId: string): ApiError {
  if (error instanceof ApiError) return error;
  const sqlState = sqlStateOf(error);
  const refused = sqlState === undefined ? undefined : refusedValues[sqlState];
  if (refused !== undefined) {
    // The statement's parameters are the caller's data: only the code is logged.
    console.warn(`[conduit] request ${requestId}: the database refused its input (SQLSTATE ${sqlState})`);
    return new ApiError("VALIDATION_FAILED", `Invalid request: ${refused}`);
  }
  console.error(`[conduit] request ${requestId} failed: ${describeFailure(error)}\n${stackFrames(error)}`);
  return new ApiError("INTERNAL", `Internal error; quote request id ${requestId} when reporting it`);
}
