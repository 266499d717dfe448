import { APICallError } from "@ai-sdk/provider";
import { RetryError } from "ai";
import { ApiError } from "@/lib/errors";
import { describeFailure } from "@/lib/runtime/failure";

/** Translates a failed model call into what the caller should see: 502 for the provider, 504 for our timeout. */
export function toModelError(error: unknown, timedOut: boolean, timeoutMs: number): ApiError {
  if (error instanceof ApiError) return error;
  if (timedOut) {
    return new ApiError("TIMEOUT", `The agent did not finish within ${Math.round(timeoutMs / 1000)} s`, { cause: error });
  }
  const cause = RetryError.isInstance(error) ? error.lastError : error;
  if (APICallError.isInstance(cause)) {
    if (cause.statusCode === undefined) {
      return new ApiError("UPSTREAM_UNAVAILABLE", "The model provider is unreachable", { cause });
    }
    return new ApiError("UPSTREAM_ERROR", `The model provider answered HTTP ${cause.statusCode}`, { cause });
  }
  console.error(`[conduit] model call failed: ${describeFailure(error)}`);
  return new ApiError("UPSTREAM_ERROR", "The model provider returned an unusable response", { cause: error });
}

/** Statuses with which a provider refuses what it was sent (too long for the model, malformed), not the call itself. */
const INPUT_REFUSED = new Set([400, 413, 422]);

/** Whether a failed call was the provider refusing its input, rather than failing or being out of reach. */
export function refusedInput(error: unknown): boolean {
  const cause = RetryError.isInstance(error) ? error.lastError : error;
  return APICallError.isInstance(cause) && cause.statusCode !== undefined && INPUT_REFUSED.has(cause.statusCode);
}
