import { ApiError } from "@/lib/errors";
import type { RequestContext } from "@/lib/http";
import { inspectApiKey, keyExpired, type ResolvedKey } from "@/lib/keys";
import { enforceKeyLimit, recordFailedAuth } from "@/lib/ratelimit";
import { authenticateUser, type RoleRule, type TokenUser } from "./user-tokens";

export interface TaskCaller {
  user: TokenUser;
  key: ResolvedKey;
  rateLimitHeaders: Record<string, string>;
}

/**
 * The gateway's two credentials: the token proves who calls, the key (X-Api-Key) decides budget,
 * webhook and signing. Either alone is useless: the key must belong to the token's user.
 */
export async function authenticateTaskCaller(request: Request, context: RequestContext, rule: RoleRule): Promise<TaskCaller> {
  const user = await authenticateUser(request, context, rule);
  const secret = request.headers.get("x-api-key")?.trim();
  const { state, key } = secret ? await inspectApiKey(secret) : { state: "unknown" as const, key: null };
  if (state === "unknown") {
    await recordFailedAuth(context.ip);
    throw new ApiError("INVALID_API_KEY", secret ? "Invalid API key" : "Missing API key: send X-Api-Key: <key>");
  }
  if (key.orgId !== user.orgId || key.ownerUserId !== user.userId) {
    throw new ApiError("KEY_OWNER_MISMATCH", "This API key does not belong to you");
  }
  if (state === "revoked") throw new ApiError("KEY_REVOKED", "This API key has been revoked");
  if (state === "expired") throw keyExpired(key);
  const rateLimitHeaders = await enforceKeyLimit(key.id, key.rateLimitPerMinute);
  // The switch governs every key-authenticated surface; queued tasks check it again when they run.
  if (!key.org.apiChannelEnabled) {
    throw new ApiError("CHANNEL_DISABLED", "The API channel is disabled for this organisation", { headers: rateLimitHeaders });
  }
  return { user, key, rateLimitHeaders };
}
