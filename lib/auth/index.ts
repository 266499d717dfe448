import { bearerToken } from "./bearer";
import { ApiError } from "@/lib/errors";
import type { RequestContext } from "@/lib/http";
import { inspectApiKey, keyExpired, type ResolvedKey } from "@/lib/keys";
import { assertIpNotBlocked, enforceKeyLimit, recordFailedAuth } from "@/lib/ratelimit";

export interface ApiKeyAuth {
  key: ResolvedKey;
  /** X-RateLimit-* headers for the response. */
  rateLimitHeaders: Record<string, string>;
}

/**
 * Authenticates `Authorization: Bearer <key>` and applies rate limits: failed attempts count
 * against the caller's IP (10/min), accepted keys against their own budget (120/min). Runs
 * before anything that costs money or reveals data.
 */
export async function authenticateApiKey(request: Request, context: RequestContext): Promise<ApiKeyAuth> {
  assertIpNotBlocked(context.ip);
  const secret = bearerToken(request);
  const { state, key } = secret ? await inspectApiKey(secret) : { state: "unknown" as const, key: null };
  // Presenting a real key that has expired is no guess, so it does not count against the IP.
  if (state === "expired") throw keyExpired(key);
  if (state !== "active") {
    await recordFailedAuth(context.ip);
    throw secret
      ? new ApiError("INVALID_API_KEY", "Invalid or revoked API key")
      : new ApiError("UNAUTHENTICATED", "Missing API key: send Authorization: Bearer <key>");
  }
  const rateLimitHeaders = await enforceKeyLimit(key.id, key.rateLimitPerMinute);
  if (!key.org.apiChannelEnabled) {
    throw new ApiError("CHANNEL_DISABLED", "The API channel is disabled for this organisation", {
      headers: rateLimitHeaders,
    });
  }
  return { key, rateLimitHeaders };
}
