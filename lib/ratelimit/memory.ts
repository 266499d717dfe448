import type { LimitResult } from "./types";

interface WindowState {
  window: number;
  current: number;
  previous: number;
}

const MAX_TRACKED = 100_000;

/**
 * In-process sliding window (the same weighted two-window approximation @upstash/ratelimit
 * uses), so both backends count alike. Used when no Upstash Redis is configured.
 */
export class MemorySlidingWindow {
  private readonly state = new Map<string, WindowState>();

  limit(identifier: string, max: number, windowMs: number, now = Date.now()): LimitResult {
    const window = Math.floor(now / windowMs);
    let entry = this.state.get(identifier);
    if (!entry || entry.window < window - 1) {
      entry = { window, current: 0, previous: 0 };
    } else if (entry.window === window - 1) {
      entry = { window, current: 0, previous: entry.current };
    }
    const elapsed = (now % windowMs) / windowMs;
    const used = Math.floor(entry.previous * (1 - elapsed)) + entry.current;
    const reset = (window + 1) * windowMs;
    const success = used < max;
    if (success) entry.current += 1;
    this.remember(identifier, entry);
    return { success, limit: max, remaining: Math.max(0, max - used - (success ? 1 : 0)), reset };
  }

  private remember(identifier: string, entry: WindowState): void {
    // Re-inserting keeps Map order by recency, so the oldest entries go first when trimming.
    this.state.delete(identifier);
    this.state.set(identifier, entry);
    if (this.state.size > MAX_TRACKED) {
      const oldest = this.state.keys().next().value;
      if (oldest !== undefined) this.state.delete(oldest);
    }
  }
}
