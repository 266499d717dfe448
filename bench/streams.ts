/**
 * Streaming scenarios beyond throughput: whether every delta leaves as soon as it arrives
 * (pacing), and what many streams held open at once cost in memory.
 */
import type { ScriptStep } from "../test/support/scripted-upstream";
import type { Target } from "./load";
import { readMemory, type MemoryReading } from "./processes";
import { percentiles, type Percentiles } from "./stats";

/** Asks the scripted upstream (`baseUrl` ends in /v1) to answer the next requests with `steps`. */
export async function scriptUpstream(baseUrl: string, steps: ScriptStep[]): Promise<void> {
  const response = await fetch(`${new URL(baseUrl).origin}/__script`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(steps),
  });
  if (!response.ok) throw new Error(`the scripted upstream refused a script: ${response.status}`);
}

/** Sends `target` and notes when each read of the body arrived, after the first. */
async function readArrivals(target: Target): Promise<number[]> {
  const response = await fetch(target.url, { method: "POST", headers: target.headers, body: target.body });
  if (!response.ok || !response.body) throw new Error(`a paced stream failed with ${response.status}`);
  const reader = response.body.getReader();
  const arrivals: number[] = [];
  for (;;) {
    const { done } = await reader.read();
    if (done) break;
    arrivals.push(performance.now());
  }
  return arrivals;
}

export interface Pacing {
  /** How late each delta arrived against the upstream's own pace (ms), over every delta of every request. */
  lateMs: Percentiles | null;
  /** Reads per request: fewer than the deltas sent means some were held back and sent together. */
  readsPerRequest: number;
}

/**
 * Streams `requests` replies whose deltas the upstream sends `gapMs` apart, one request at a
 * time. A delta's lateness is its arrival after the first one, less the upstream's gaps before
 * it: what buffering anywhere on the way adds.
 */
export async function measurePacing(
  upstreamUrl: string,
  target: Target,
  options: { requests: number; deltas: number; gapMs: number },
): Promise<Pacing> {
  const chunks = Array.from({ length: options.deltas }, (_, i) => `w${i} `);
  const late: number[] = [];
  let reads = 0;
  for (let i = 0; i < options.requests; i++) {
    await scriptUpstream(upstreamUrl, [{ chunks, chunkDelayMs: options.gapMs }]);
    const arrivals = await readArrivals(target);
    reads += arrivals.length;
    const first = arrivals[0] ?? 0;
    // Only the deltas: a reply may end with a line (usage, done) after the last one.
    for (let n = 1; n < Math.min(arrivals.length, options.deltas); n++) late.push((arrivals[n] ?? 0) - first - n * options.gapMs);
  }
  return { lateMs: percentiles(late), readsPerRequest: reads / options.requests };
}

export interface OpenStreams {
  requested: number;
  /** Streams that had sent their first bytes when memory was read. */
  open: number;
  errors: number;
  memory: MemoryReading;
}

/**
 * Opens `count` streams at once, each held open by an upstream that sends its first delta after
 * `holdMs` and its second `holdMs` later, and reads the server's memory once all are open.
 */
export async function holdStreamsOpen(
  upstreamUrl: string,
  target: Target,
  pid: number,
  count: number,
  holdMs: number,
): Promise<OpenStreams> {
  await scriptUpstream(
    upstreamUrl,
    Array.from({ length: count }, () => ({ chunks: ["held ", "open"], chunkDelayMs: holdMs })),
  );
  let open = 0;
  let errors = 0;
  let allOpen: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (allOpen = resolve));
  const settleOne = () => {
    if (open + errors === count) allOpen();
  };
  const streams = Array.from({ length: count }, async () => {
    try {
      const response = await fetch(target.url, { method: "POST", headers: target.headers, body: target.body });
      if (!response.ok || !response.body) throw new Error(String(response.status));
      const reader = response.body.getReader();
      await reader.read();
      open++;
      settleOne();
      while (!(await reader.read()).done);
    } catch {
      errors++;
      settleOne();
    }
  });
  // Read while every stream is open: after the first deltas, before the second.
  await Promise.race([opened, new Promise((resolve) => setTimeout(resolve, holdMs * 1.75))]);
  const memory = readMemory(pid);
  const opens = open;
  await Promise.all(streams);
  return { requested: count, open: opens, errors, memory };
}
