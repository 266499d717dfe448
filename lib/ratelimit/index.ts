import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { config } from "@/lib/config";
import { ApiError } from "@/lib/errors";
import { processSingleton } from "@/lib/runtime/singleton";
import { MemorySlidingWindow } from "./memory";
import type { Limiter, LimitResult } from "./types";

export type { LimitResult } from "./types";

const WINDOW_MS = 60_000;

class MemoryLimiter implements Limiter {
  private readonly windows = new MemorySlidingWindow();
  async limit(identifier: string, max: number): Promise<LimitResult> {
    return this.windows.limit(identifier, max, WINDOW_MS);
  }
}

/** Counts in Upstash Redis, so every instance of Conduit shares one budget per key and IP. */
class UpstashLimiter implements Limiter {
  private readonly byMax = new Map<number, Ratelimit>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async limit(identifier: string, max: number): Promise<LimitResult> {
    let limiter = this.byMax.get(max);
    if (!limiter) {
      limiter = new Ratelimit({
        redis: this.redis,
        limiter: Ratelimit.slidingWindow(max, "60 s"),
        prefix: `${this.prefix}:${max}`,
        // Remembers blocked identifiers locally so a flood is refused without a Redis round trip.
        ephemeralCache: new Map(),
        analytics: false,
      });
      this.byMax.set(max, limiter);
    }
    const { success, limit, remaining, reset } = await limiter.limit(identifier);
    return { success, limit, remaining, reset };
  }
}

function createLimiter(name: string): Limiter {
  const { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token } = config();
  if (url && token) return new UpstashLimiter(new Redis({ url, token }), `conduit:rl:${name}`);
  return new MemoryLimiter();
}

export function rateLimitBackend(): "upstash" | "memory" {
  return config().UPSTASH_REDIS_REST_URL ? "upstash" : "memory";
}

export function rateLimitHeaders(result: LimitResult): Record<string, string> {
  return {
    "X-RateLimit-Limit": String(result.limit),
    "X-RateLimit-Remaining": String(result.remaining),
    "X-RateLimit-Reset": String(Math.ceil(result.reset / 1000)),
  };
}

function rateLimited(result: LimitResult, message: string): ApiError {
  const retryAfter = Math.max(1, Math.ceil((result.reset - Date.now()) / 1000));
  return new ApiError("RATE_LIMITED", message, {
    headers: { ...rateLimitHeaders(result), "Retry-After": String(retryAfter) },
  });
}

const keyLimiter = () => processSingleton("ratelimit:key", () => createLimiter("key"));
const failedAuthLimiter = () => processSingleton("ratelimit:failed-auth", () => createLimiter("auth-fail"));
/** IPs known (in this process) to have spent their failed-auth budget, until the window resets. */
const blockedIps = () => processSingleton("ratelimit:blocked-ips", () => new Map<string, LimitResult>());

/** Per-key budget (default 120/min). Returns headers for the response; throws 429 when spent. */
export async function enforceKeyLimit(keyId: string, perMinute?: number | null): Promise<Record<string, string>> {
  const result = await keyLimiter().limit(keyId, perMinute ?? config().RATE_LIMIT_PER_KEY_PER_MINUTE);
  if (!result.success) throw rateLimited(result, "Rate limit exceeded for this API key; retry after the window resets");
  return rateLimitHeaders(result);
}

/**
 * Refuses an IP that has spent its failed-authentication budget, before any key is checked,
 * so a brute-forcing client learns nothing even when it stumbles on a valid key.
 */
export function assertIpNotBlocked(ip: string): void {
  const blocked = blockedIps().get(ip);
  if (!blocked) return;
  if (blocked.reset <= Date.now()) {
    blockedIps().delete(ip);
    return;
  }
  throw rateLimited(blocked, "Too many failed authentication attempts from this address");
}

/** Counts one failed authentication for an IP; throws 429 (instead of 401) once over the limit. */
export async function recordFailedAuth(ip: string): Promise<void> {
  const result = await failedAuthLimiter().limit(ip, config().RATE_LIMIT_FAILED_AUTH_PER_MINUTE);
  if (result.success) return;
  blockedIps().set(ip, result);
  throw rateLimited(result, "Too many failed authentication attempts from this address");
}

const ingressLimiter = () => processSingleton("ratelimit:ingress", () => createLimiter("ingress"));

/** Per-address budget on a public callback route (channel webhooks); throws 429 when spent. */
export async function enforceIngressLimit(route: string, ip: string, perMinute: number): Promise<void> {
  const result = await ingressLimiter().limit(`${route}|${ip}`, perMinute);
  if (!result.success) throw rateLimited(result, "Too many requests from this address");
}

const signInLimiter = () => processSingleton("ratelimit:sign-in", () => createLimiter("sign-in"));

/**
 * Counts one sign-in attempt for an email from an address; false once that pair has spent its
 * attempts for the minute. Keyed by both, so a stranger guessing one account from elsewhere
 * cannot throttle its owner, and one address cannot sweep many accounts fast either (the
 * failed-authentication limit per address applies as well).
 */
export async function allowSignInAttempt(email: string, ip: string): Promise<LimitResult> {
  return signInLimiter().limit(`${email}|${ip}`, config().SIGN_IN_ATTEMPTS_PER_MINUTE);
}
