/**
 * `npm run bench`: Conduit's cost over calling the model upstream directly, measured in one run.
 *
 *   npm run bench -- [--concurrency 32] [--seconds 5] [--conduit-warmup 10] [--cpu-prof <dir>]
 *
 * Starts the scripted upstream (own process) and Conduit's production server on a fresh
 * database, then for non-streaming and streaming chat loads the upstream directly and through
 * Conduit, back to back, at the same concurrency. Prints a table, then `BENCH_JSON {...}`.
 */
import { availableParallelism } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Db } from "@/lib/db";
import { startWorld } from "../test/support/app";
import { createKey, createTenant } from "../test/support/fixtures";
import { DEFAULT_CONTENT } from "../test/support/scripted-upstream";
import { runClosedLoop, type LoadOptions, type Target } from "./load";
import { ensureProductionBuild, readCpuMs, readMemory, startUpstreamProcess } from "./processes";
import { comparison, formatReport, summarize, type Comparison, type ScenarioSummary } from "./report";
import { round } from "./stats";

const ROOT = path.resolve(__dirname, "..");
const MODEL = "bench-model";
const WARMUP_MS = 1_500;
/** Far above the load generated, so the per-key limit (120/min by default) never answers 429. */
const BENCH_RATE_LIMIT_PER_MINUTE = 100_000_000;
const MESSAGES = [{ role: "user", content: "Hello" }];
/** What fetch-based SDKs send anyway; explicit so both sides are asked for the same encoding. */
const CLIENT_HEADERS = { "Content-Type": "application/json", "Accept-Encoding": "gzip, deflate" };

interface BenchOptions extends LoadOptions {
  /** One-off load on Conduit before anything is measured. */
  conduitWarmupMs: number;
  /** Where Conduit writes a V8 CPU profile of the whole run (`--cpu-prof`), if asked. */
  cpuProfileDir: string | undefined;
}

/** A numeric flag: `--seconds 0` would divide by zero, but `--conduit-warmup 0` just skips the warm-up. */
function numberFlag(raw: string, name: string, { integer = false, allowZero = false } = {}): number {
  const value = Number(raw);
  const valid = Number.isFinite(value) && (allowZero ? value >= 0 : value > 0) && (!integer || Number.isInteger(value));
  if (!valid) {
    throw new Error(`--${name} must be a ${allowZero ? "non-negative" : "positive"} ${integer ? "integer" : "number"}, got "${raw}"`);
  }
  return value;
}

function benchOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      concurrency: { type: "string", default: "32" },
      seconds: { type: "string", default: "5" },
      "conduit-warmup": { type: "string", default: "10" },
      "cpu-prof": { type: "string" },
    },
  });
  return {
    concurrency: numberFlag(values.concurrency, "concurrency", { integer: true }),
    warmupMs: WARMUP_MS,
    measureMs: numberFlag(values.seconds, "seconds") * 1000,
    conduitWarmupMs: numberFlag(values["conduit-warmup"], "conduit-warmup", { allowZero: true }) * 1000,
    cpuProfileDir: values["cpu-prof"] === undefined ? undefined : path.resolve(values["cpu-prof"]),
  };
}

async function seed(db: Db) {
  const tenant = await createTenant(db, "Bench");
  const key = await createKey(db, { orgId: tenant.org.id, name: "bench", rateLimitPerMinute: BENCH_RATE_LIMIT_PER_MINUTE });
  return { agentId: tenant.agent.id, key: key.secret };
}

function conduitTarget(appUrl: string, agentId: string, key: string, stream: boolean): Target {
  return {
    url: `${appUrl}/api/agents/${agentId}/chat`,
    headers: { ...CLIENT_HEADERS, Authorization: `Bearer ${key}` },
    body: JSON.stringify({ messages: MESSAGES, stream }),
    // A stream that fails after its headers ends with an `error` event instead of `done`.
    isComplete: stream ? (text) => text.includes('"type":"done"') : (text) => text.includes(DEFAULT_CONTENT),
  };
}

function directTarget(baseUrl: string, stream: boolean): Target {
  // Conduit asks for usage on streams (include_usage), so the baseline asks the upstream for the same.
  const streaming = stream ? { stream: true, stream_options: { include_usage: true } } : {};
  return {
    url: `${baseUrl}/chat/completions`,
    headers: { ...CLIENT_HEADERS, Authorization: "Bearer bench" },
    body: JSON.stringify({ model: MODEL, messages: MESSAGES, ...streaming }),
    isComplete: stream ? (text) => text.endsWith("data: [DONE]\n\n") : (text) => text.includes(DEFAULT_CONTENT),
  };
}

/** A server to load: what to send it and which process serves it (for its CPU time). */
interface Side {
  target: Target;
  pid: number;
}

async function measure(side: Side, options: LoadOptions): Promise<ScenarioSummary> {
  const cpuBefore = readCpuMs(side.pid);
  const measurement = await runClosedLoop(side.target, options);
  return summarize(measurement, readCpuMs(side.pid) - cpuBefore);
}

/** The baseline, then Conduit straight after, so both see the same machine state. */
async function compare(label: string, direct: Side, conduit: Side, options: LoadOptions): Promise<Comparison> {
  console.log(`· ${label}: direct to upstream…`);
  const baseline = await measure(direct, options);
  console.log(`· ${label}: through Conduit…`);
  return comparison(baseline, await measure(conduit, options));
}

/**
 * Conduit's cost per request only settles after a few thousand requests (JIT), far more than
 * a scenario's own warm-up, so it gets one longer warm-up split over both kinds of chat.
 */
async function warmUpConduit(targets: Target[], options: BenchOptions): Promise<void> {
  if (options.conduitWarmupMs === 0) return;
  console.log(`· warming Conduit up for ${options.conduitWarmupMs / 1000} s…`);
  for (const target of targets) {
    await runClosedLoop(target, { ...options, warmupMs: options.conduitWarmupMs / targets.length, measureMs: 0 });
  }
}

/** Rounds every figure in the JSON line to a readable precision. */
const roundNumbers = (_key: string, value: unknown): unknown => (typeof value === "number" ? round(value, 3) : value);

async function main(): Promise<void> {
  const options = benchOptions();
  await ensureProductionBuild(ROOT);
  const upstream = await startUpstreamProcess(ROOT);
  try {
    const world = await startWorld({
      seed,
      env: {
        OPENAI_BASE_URL: upstream.baseUrl,
        OPENAI_API_KEY: "bench",
        OPENAI_MODEL: MODEL,
        MODEL_MAX_RETRIES: "0",
        SEED_DEMO: "false",
      },
      nodeArgs: options.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`] : [],
    });
    try {
      const pid = world.app.pid();
      if (pid === undefined) throw new Error("Conduit's process id is unknown");
      const { agentId, key } = world.seeded;
      const direct = (stream: boolean): Side => ({ target: directTarget(upstream.baseUrl, stream), pid: upstream.pid });
      const conduit = (stream: boolean): Side => ({ target: conduitTarget(world.app.url, agentId, key, stream), pid });
      console.log(
        `Conduit (${world.backend}) at ${world.app.url}, upstream at ${upstream.baseUrl}; concurrency ${options.concurrency}, ` +
          `${WARMUP_MS / 1000} s warm-up + ${options.measureMs / 1000} s measured per scenario`,
      );

      const before = readMemory(pid);
      await warmUpConduit([conduit(false).target, conduit(true).target], options);
      const nonStreaming = await compare("non-streaming", direct(false), conduit(false), options);
      const streaming = await compare("streaming", direct(true), conduit(true), options);
      const after = readMemory(pid);

      console.log(`\n${formatReport(nonStreaming, streaming, { before, after })}\n`);
      const json = {
        config: {
          concurrency: options.concurrency,
          conduitWarmupSeconds: options.conduitWarmupMs / 1000,
          warmupSeconds: options.warmupMs / 1000,
          measuredSeconds: options.measureMs / 1000,
          backend: world.backend,
          node: process.version,
          cpus: availableParallelism(),
        },
        nonStreaming,
        streaming,
        conduitMemoryMb: { rssBefore: before.rssMb, rssAfter: after.rssMb, peakRss: after.peakRssMb },
      };
      console.log(`BENCH_JSON ${JSON.stringify(json, roundNumbers)}`);
    } finally {
      await world.close();
    }
  } finally {
    await upstream.stop();
  }
}

// No top-level await: tsx may load this file as CommonJS (the package has no "type": "module").
main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
