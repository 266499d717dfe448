/**
 * Closed-loop load generator on Node's global fetch (undici, keep-alive): a fixed number of
 * workers each send the next request as soon as the previous one is fully read.
 */
import { serverTiming } from "../test/support/server-timing";

/** One kind of request to repeat. */
export interface Target {
  url: string;
  /** POST unless given; a GET sends no body. */
  method?: "GET" | "POST";
  headers: Record<string, string>;
  body: string;
  /** The status that counts as answered; any 2xx unless given. */
  expectedStatus?: number;
  /** Whether a 2xx body is a complete reply: a stream can still fail after its headers. */
  isComplete: (body: string) => boolean;
}

export interface LoadOptions {
  concurrency: number;
  warmupMs: number;
  measureMs: number;
}

/** The parts of Conduit's `Server-Timing: gateway;dur=…, model;dur=…, total;dur=…` header. */
export const TIMING_PARTS = ["gateway", "model", "total"] as const;
export type TimingPart = (typeof TIMING_PARTS)[number];

/** Raw samples of the requests that completed inside the measured window. */
export interface Measurement {
  seconds: number;
  /** Every request sent, warm-up included; all have finished when the run returns. */
  sent: number;
  requests: number;
  errors: number;
  latencyMs: number[];
  ttfbMs: number[];
  /** What the server reported about itself; empty for the direct upstream, which reports nothing. */
  serverTimingMs: Record<TimingPart, number[]>;
}

interface Sample {
  latencyMs: number;
  ttfbMs: number;
  serverTiming: Record<string, number>;
}

/** A stuck request must not stall the run; far above any healthy latency here. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Keeps memory bounded even on a machine fast enough to exceed any expected rate. */
const MAX_REQUESTS_PER_SCENARIO = 2_000_000;

/** Reads the whole body, noting when its first bytes arrived. */
async function readTimed(body: ReadableStream<Uint8Array>, start: number): Promise<{ text: string; ttfbMs: number }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let ttfbMs: number | undefined;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    ttfbMs ??= performance.now() - start;
    text += decoder.decode(value, { stream: true });
  }
  return { text: text + decoder.decode(), ttfbMs: ttfbMs ?? performance.now() - start };
}

/** One request; null when it failed (network error, timeout, unexpected status or incomplete body). */
async function timeRequest(target: Target, onBody?: (text: string) => void): Promise<Sample | null> {
  const start = performance.now();
  try {
    const method = target.method ?? "POST";
    const response = await fetch(target.url, {
      method,
      headers: target.headers,
      body: method === "GET" ? undefined : target.body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const answered = target.expectedStatus === undefined ? response.ok : response.status === target.expectedStatus;
    if (!answered || !response.body) {
      await response.arrayBuffer(); // drain, so the keep-alive connection is reused
      return null;
    }
    const { text, ttfbMs } = await readTimed(response.body, start);
    if (!target.isComplete(text)) return null;
    onBody?.(text);
    return { latencyMs: performance.now() - start, ttfbMs, serverTiming: serverTiming(response.headers) };
  } catch {
    return null;
  }
}

/** Runs `target` for warm-up plus measured time; only completions inside the measured window count. */
export async function runClosedLoop(target: Target, options: LoadOptions): Promise<Measurement> {
  const measureStart = performance.now() + options.warmupMs;
  const measureEnd = measureStart + options.measureMs;
  const result: Omit<Measurement, "sent"> = {
    seconds: options.measureMs / 1000,
    requests: 0,
    errors: 0,
    latencyMs: [],
    ttfbMs: [],
    serverTimingMs: { gateway: [], model: [], total: [] },
  };
  let sent = 0;

  const worker = async (): Promise<void> => {
    while (performance.now() < measureEnd && sent < MAX_REQUESTS_PER_SCENARIO) {
      sent++;
      const sample = await timeRequest(target);
      const now = performance.now();
      if (now < measureStart || now > measureEnd) continue;
      if (!sample) {
        result.errors++;
        continue;
      }
      result.requests++;
      result.latencyMs.push(sample.latencyMs);
      result.ttfbMs.push(sample.ttfbMs);
      for (const part of TIMING_PARTS) {
        const value = sample.serverTiming[part];
        if (value !== undefined) result.serverTimingMs[part].push(value);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { ...result, sent };
}

/** A fixed number of requests, as `requests` over `concurrency` connections. */
export interface CountOptions {
  requests: number;
  concurrency: number;
  /** Called with each complete body, e.g. to note the ids a server handed out. */
  onBody?: (text: string) => void;
}

/** What a fixed number of requests took: from the first sent to the last answered. */
export interface CountMeasurement {
  /** performance.now() when the first request was sent. */
  startedAt: number;
  seconds: number;
  requests: number;
  errors: number;
  latencyMs: number[];
}

/** Sends exactly `requests` requests over `concurrency` connections, each sending its next as soon as its last is read. */
export async function runCount(target: Target, options: CountOptions): Promise<CountMeasurement> {
  const startedAt = performance.now();
  const latencyMs: number[] = [];
  let sent = 0;
  let errors = 0;
  const worker = async (): Promise<void> => {
    while (sent < options.requests) {
      sent++;
      const sample = await timeRequest(target, options.onBody);
      if (sample) latencyMs.push(sample.latencyMs);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.requests) }, worker));
  return { startedAt, seconds: (performance.now() - startedAt) / 1000, requests: latencyMs.length, errors, latencyMs };
}
