import { bearerToken } from "./bearer";
import { ApiError } from "@/lib/errors";
import type { ErrorRenderer, RequestContext } from "@/lib/http";
import { inspectApiKey, type ResolvedKey } from "@/lib/keys";
import { assertIpNotBlocked, enforceKeyLimit, recordFailedAuth } from "@/lib/ratelimit";
import { resolveUserToken, type TokenUser } from "./user-tokens";

/** The task gateway's errors: `{ error: { code, message } }`, with validation failures as 422. */
export const renderTaskGatewayError: ErrorRenderer = (error) => {
  const validation = error.code === "VALIDATION_FAILED" || error.code === "INVALID_JSON" || error.code === "BAD_REQUEST";
  return Response.json(
    { error: { code: validation ? "VALIDATION_ERROR" : error.code, message: error.message } },
    { status: validation ? 422 : error.status, headers: error.headers },
  );
};

/** `Authorization: Bearer <personal access token>`; failures count against the caller's IP. */
export async function authenticateUser(request: Request, context: RequestContext): Promise<TokenUser> {
  assertIpNotBlocked(context.ip);
  const secret = bearerToken(request);
  const user = secret ? await resolveUserToken(secret) : null;
  if (!user) {
    await recordFailedAuth(context.ip);
    throw new ApiError("UNAUTHENTICATED", secret ? "Invalid access token" : "Missing access token: send Authorization: Bearer <token>");
  }
  return user;
}

export interface TaskCaller {
  user: TokenUser;
  key: ResolvedKey;
  rateLimitHeaders: Record<string, string>;
}

/**
 * The gateway's two credentials: the token proves who calls, the key (X-Api-Key) decides budget,
 * webhook and signing. Either alone is useless: the key must belong to the token's user.
 */
export async function authenticateTaskCaller(request: Request, context: RequestContext): Promise<TaskCaller> {
  const user = await authenticateUser(request, context);
  const secret = request.headers.get("x-api-key")?.trim();
  const { state, key } = secret ? await inspectApiKey(secret) : { state: "unknown" as const, key: null };
  if (!key || state === "unknown") {
    await recordFailedAuth(context.ip);
    throw new ApiError("INVALID_API_KEY", secret ? "Invalid API key" : "Missing API key: send X-Api-Key: <key>");
  }
  if (key.orgId !== user.orgId || key.ownerUserId !== user.userId) {
    throw new ApiError("KEY_OWNER_MISMATCH", "This API key does not belong to you");
  }
  if (state === "revoked") throw new ApiError("KEY_REVOKED", "This API key has been revoked");
  const rateLimitHeaders = await enforceKeyLimit(key.id, key.rateLimitPerMinute);
  return { user, key, rateLimitHeaders };
}
