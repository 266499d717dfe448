/**
 * `npm run bench`: Conduit's cost over calling the model upstream directly, measured in one run.
 *
 *   npm run bench -- [--concurrency 32] [--seconds 5] [--conduit-warmup 10] [--open-streams 1000] [--cpu-prof <dir>]
 *
 * Starts the scripted upstream (own process) and Conduit's production server on a fresh
 * database, then for non-streaming and streaming chat loads the upstream directly and through
 * Conduit, back to back: one connection (added latency), then `--concurrency` connections beside
 * Conduit's own GET /api/health and the cheapest request Next.js's router serves (throughput);
 * then the pacing of stream deltas and memory with many streams open. Prints tables, the targets
 * and whether each holds, then `BENCH_JSON {...}`.
 */
import { availableParallelism } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { tables, type Db } from "@/lib/db";
import { startWorld } from "../test/support/app";
import { createKey, createTenant } from "../test/support/fixtures";
import { DEFAULT_CONTENT } from "../test/support/scripted-upstream";
import { numberFlag } from "./flags";
import { runClosedLoop, type LoadOptions, type Target } from "./load";
import { ensureProductionBuild, readCpuMs, readMemory, startSdkFloorProcess, startUpstreamProcess } from "./processes";
import { comparison, formatReport, formatTargets, summarize, type Comparison, type ScenarioSummary, type TargetCheck } from "./report";
import { holdStreamsOpen, measurePacing, type OpenStreams, type Pacing } from "./streams";
import { benchJson } from "./stats";

const ROOT = path.resolve(__dirname, "..");
const MODEL = "bench-model";
const WARMUP_MS = 1_500;
/** Far above the load generated, so the per-key limit (120/min by default) never answers 429. */
const BENCH_RATE_LIMIT_PER_MINUTE = 100_000_000;
/** $1,000,000: never reached, so the budget is checked and charged on every call but never refuses. */
const BENCH_BUDGET_USD_CENTS = 100_000_000;
const MESSAGES = [{ role: "user", content: "Hello" }];
/** Stream pacing: sequential replies of this many deltas, sent this far apart by the upstream. */
const PACING_REQUESTS = 30;
const PACING_DELTAS = 10;
const PACING_GAP_MS = 10;
/** How long the upstream holds each of the open streams between its two deltas. */
const STREAM_HOLD_MS = 10_000;
/** What fetch-based SDKs send anyway; explicit so both sides are asked for the same encoding. */
const CLIENT_HEADERS = { "Content-Type": "application/json", "Accept-Encoding": "gzip, deflate" };

interface BenchOptions extends LoadOptions {
  /** One-off load on Conduit before anything is measured. */
  conduitWarmupMs: number;
  /** Where Conduit writes a V8 CPU profile of the whole run (`--cpu-prof`), if asked. */
  cpuProfileDir: string | undefined;
  /** Streams held open at once for the memory reading. */
  openStreams: number;
}

function benchOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      concurrency: { type: "string", default: "32" },
      seconds: { type: "string", default: "5" },
      "conduit-warmup": { type: "string", default: "10" },
      "cpu-prof": { type: "string" },
      "open-streams": { type: "string", default: "1000" },
    },
  });
  return {
    concurrency: numberFlag(values.concurrency, "concurrency", { integer: true }),
    warmupMs: WARMUP_MS,
    measureMs: numberFlag(values.seconds, "seconds") * 1000,
    conduitWarmupMs: numberFlag(values["conduit-warmup"], "conduit-warmup", { allowZero: true }) * 1000,
    cpuProfileDir: values["cpu-prof"] === undefined ? undefined : path.resolve(values["cpu-prof"]),
    openStreams: numberFlag(values["open-streams"], "open-streams", { integer: true }),
  };
}

async function seed(db: Db) {
  const tenant = await createTenant(db, "Bench");
  const key = await createKey(db, { orgId: tenant.org.id, name: "bench", rateLimitPerMinute: BENCH_RATE_LIMIT_PER_MINUTE });
  // A budget far above the load: every model call is reserved before and charged after, as in production.
  await db
    .update(tables.apiKeys)
    .set({ budgetUsdCents: BENCH_BUDGET_USD_CENTS, budgetPeriod: "monthly" })
    .where(eq(tables.apiKeys.id, key.id));
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

function healthTarget(appUrl: string): Target {
  return { url: `${appUrl}/api/health`, method: "GET", headers: {}, body: "", isComplete: () => true };
}

/**
 * The cheapest request Next.js's router serves: a path with a percent-escape, which Conduit's
 * direct API lane leaves to Next.js, routed to the API's catch-all and answered 404 in JSON.
 */
function nextRoutedTarget(appUrl: string): Target {
  return { url: `${appUrl}/api/next%2Drouted`, method: "GET", headers: {}, body: "", expectedStatus: 404, isComplete: () => true };
}

/** The same chat asked of the AI SDK alone (bench/sdk-floor.ts), which answers in Conduit's chat shapes. */
function floorTarget(baseUrl: string, stream: boolean): Target {
  return {
    url: `${baseUrl}/chat`,
    headers: CLIENT_HEADERS,
    body: JSON.stringify({ messages: MESSAGES, stream }),
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

/** The baselines, then Conduit straight after, so all see the same machine state. */
async function compare(label: string, direct: Side, floor: Side, conduit: Side, options: LoadOptions): Promise<Comparison> {
  console.log(`· ${label}: direct to upstream…`);
  const baseline = await measure(direct, options);
  console.log(`· ${label}: the AI SDK alone…`);
  const sdkAlone = await measure(floor, options);
  console.log(`· ${label}: through Conduit…`);
  return comparison(baseline, sdkAlone, await measure(conduit, options));
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

/** The hot path's targets, checked against this run's figures, each beside the AI SDK alone's. */
function checkTargets(run: {
  sequential: { nonStreaming: Comparison; streaming: Comparison };
  loaded: {
    concurrency: number;
    healthRequestsPerSecond: number;
    nextRoutedRequestsPerSecond: number;
    nonStreaming: Comparison;
    streaming: Comparison;
  };
  pacingLateMs: { conduit: number | undefined; floor: number | undefined };
  rssAfterLoadMb: { conduit: number; floor: number };
  streams: OpenStreams;
}): TargetCheck[] {
  const { sequential, loaded } = run;
  const ratio = (scenario: ScenarioSummary) => scenario.requestsPerSecond / loaded.healthRequestsPerSecond;
  const nextRatio = (scenario: ScenarioSummary) => scenario.requestsPerSecond / loaded.nextRoutedRequestsPerSecond;
  const check = (
    name: string,
    limit: number,
    measured: number | undefined,
    floor: number | undefined,
    unit: string,
    atLeast = false,
  ): TargetCheck => {
    const shown = (value: number | undefined) => (value === undefined ? "-" : `${value.toFixed(unit === "" ? 2 : 1)}${unit}`);
    return {
      name,
      limit: `${atLeast ? "≥" : "≤"} ${limit}${unit}`,
      measured: shown(measured),
      holds: measured !== undefined && (atLeast ? measured >= limit : measured <= limit),
      floor: shown(floor),
    };
  };
  const connections = `${loaded.concurrency} connections`;
  return [
    check(
      "sequential chat: added latency p50",
      1.5,
      sequential.nonStreaming.addedLatencyMs?.p50,
      sequential.nonStreaming.floorAddedLatencyMs?.p50,
      " ms",
    ),
    check(
      "sequential chat: added latency p99",
      5,
      sequential.nonStreaming.addedLatencyMs?.p99,
      sequential.nonStreaming.floorAddedLatencyMs?.p99,
      " ms",
    ),
    check(
      "streaming: added time to first byte p50",
      2,
      sequential.streaming.addedTtfbMs?.p50,
      sequential.streaming.floorAddedTtfbMs?.p50,
      " ms",
    ),
    check("streaming: deltas held back (added lateness p99)", 1, run.pacingLateMs.conduit, run.pacingLateMs.floor, " ms"),
    check(`chat at ${connections} ÷ GET /api/health`, 0.5, ratio(loaded.nonStreaming.conduit), ratio(loaded.nonStreaming.floor), "", true),
    check(
      `streaming chat at ${connections} ÷ GET /api/health`,
      0.5,
      ratio(loaded.streaming.conduit),
      ratio(loaded.streaming.floor),
      "",
      true,
    ),
    check(
      `chat at ${connections} ÷ a request Next.js routes`,
      0.5,
      nextRatio(loaded.nonStreaming.conduit),
      nextRatio(loaded.nonStreaming.floor),
      "",
      true,
    ),
    check(
      `streaming chat at ${connections} ÷ a request Next.js routes`,
      0.5,
      nextRatio(loaded.streaming.conduit),
      nextRatio(loaded.streaming.floor),
      "",
      true,
    ),
    check(
      "errors under load",
      0,
      loaded.nonStreaming.conduit.errors + loaded.streaming.conduit.errors,
      loaded.nonStreaming.floor.errors + loaded.streaming.floor.errors,
      "",
    ),
    check("RSS after the load", 400, run.rssAfterLoadMb.conduit, run.rssAfterLoadMb.floor, " MB"),
    check(
      `RSS with ${run.streams.requested} streams open (${run.streams.open} open, ${run.streams.errors} errors)`,
      600,
      run.streams.memory.rssMb,
      undefined,
      " MB",
    ),
  ];
}

async function main(): Promise<void> {
  const options = benchOptions();
  await ensureProductionBuild(ROOT);
  const upstream = await startUpstreamProcess(ROOT);
  const sdkFloor = await startSdkFloorProcess(ROOT, upstream.baseUrl, MODEL).catch(async (error: unknown) => {
    await upstream.stop();
    throw error;
  });
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
      const floor = (stream: boolean): Side => ({ target: floorTarget(sdkFloor.baseUrl, stream), pid: sdkFloor.pid });
      const conduit = (stream: boolean): Side => ({ target: conduitTarget(world.app.url, agentId, key, stream), pid });
      const health: Side = { target: healthTarget(world.app.url), pid };
      const nextRouted: Side = { target: nextRoutedTarget(world.app.url), pid };
      console.log(
        `Conduit (${world.backend}) at ${world.app.url}, upstream at ${upstream.baseUrl}; sequential, then ${options.concurrency} ` +
          `connections; ${WARMUP_MS / 1000} s warm-up + ${options.measureMs / 1000} s measured per scenario`,
      );

      const before = readMemory(pid);
      await warmUpConduit([conduit(false).target, conduit(true).target], options);
      const sequentialOptions = { ...options, concurrency: 1 };
      const sequential = {
        nonStreaming: await compare("sequential non-streaming", direct(false), floor(false), conduit(false), sequentialOptions),
        streaming: await compare("sequential streaming", direct(true), floor(true), conduit(true), sequentialOptions),
      };
      // Health and Next.js's routing before and after the chats: a machine whose load changes meanwhile moves both.
      console.log(`· ${options.concurrency} connections: GET /api/health, then a request Next.js routes…`);
      const healthBefore = await measure(health, options);
      const nextRoutedBefore = await measure(nextRouted, options);
      const nonStreaming = await compare("loaded non-streaming", direct(false), floor(false), conduit(false), options);
      const streaming = await compare("loaded streaming", direct(true), floor(true), conduit(true), options);
      console.log(`· ${options.concurrency} connections: both again…`);
      const healthAfter = await measure(health, options);
      const nextRoutedAfter = await measure(nextRouted, options);
      const loaded = {
        concurrency: options.concurrency,
        health: [healthBefore, healthAfter],
        healthRequestsPerSecond: (healthBefore.requestsPerSecond + healthAfter.requestsPerSecond) / 2,
        nextRouted: [nextRoutedBefore, nextRoutedAfter],
        nextRoutedRequestsPerSecond: (nextRoutedBefore.requestsPerSecond + nextRoutedAfter.requestsPerSecond) / 2,
        nonStreaming,
        streaming,
      };
      console.log("· pacing of stream deltas: direct, the AI SDK alone, through Conduit…");
      const pacingOptions = { requests: PACING_REQUESTS, deltas: PACING_DELTAS, gapMs: PACING_GAP_MS };
      const pacing = {
        direct: await measurePacing(upstream.baseUrl, direct(true).target, pacingOptions),
        floor: await measurePacing(upstream.baseUrl, floor(true).target, pacingOptions),
        conduit: await measurePacing(upstream.baseUrl, conduit(true).target, pacingOptions),
      };
      const after = readMemory(pid);
      const floorAfter = readMemory(sdkFloor.pid);
      console.log(`· ${options.openStreams} streams held open at once…`);
      const streams = await holdStreamsOpen(upstream.baseUrl, conduit(true).target, pid, options.openStreams, STREAM_HOLD_MS);

      const lateBeyondDirect = (side: Pacing) =>
        side.lateMs && pacing.direct.lateMs ? side.lateMs.p99 - pacing.direct.lateMs.p99 : undefined;
      const targets = checkTargets({
        sequential,
        loaded,
        pacingLateMs: { conduit: lateBeyondDirect(pacing.conduit), floor: lateBeyondDirect(pacing.floor) },
        rssAfterLoadMb: { conduit: after.rssMb, floor: floorAfter.rssMb },
        streams,
      });
      console.log(`\nSequential (1 connection):\n${formatReport(sequential.nonStreaming, sequential.streaming, { before, after })}`);
      console.log(
        `\n${options.concurrency} connections (GET /api/health: ${healthBefore.requestsPerSecond.toFixed(0)} req/s before the chats, ` +
          `${healthAfter.requestsPerSecond.toFixed(0)} after, ${healthAfter.serverCpuMsPerRequest.toFixed(2)} ms CPU each; ` +
          `routed by Next.js: ${nextRoutedBefore.requestsPerSecond.toFixed(0)} and ${nextRoutedAfter.requestsPerSecond.toFixed(0)} req/s, ` +
          `${nextRoutedAfter.serverCpuMsPerRequest.toFixed(2)} ms CPU each):\n` +
          formatReport(loaded.nonStreaming, loaded.streaming, { before, after }),
      );
      console.log(
        `\nStream pacing (${PACING_DELTAS} deltas ${PACING_GAP_MS} ms apart): lateness p50/p99 direct ` +
          `${pacing.direct.lateMs?.p50.toFixed(2)}/${pacing.direct.lateMs?.p99.toFixed(2)} ms, AI SDK alone ` +
          `${pacing.floor.lateMs?.p50.toFixed(2)}/${pacing.floor.lateMs?.p99.toFixed(2)} ms, Conduit ` +
          `${pacing.conduit.lateMs?.p50.toFixed(2)}/${pacing.conduit.lateMs?.p99.toFixed(2)} ms; reads per stream ` +
          `${pacing.direct.readsPerRequest.toFixed(1)} direct, ${pacing.floor.readsPerRequest.toFixed(1)} AI SDK alone, ` +
          `${pacing.conduit.readsPerRequest.toFixed(1)} Conduit`,
      );
      console.log(`\nTargets:\n${formatTargets(targets)}\n`);
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
        sequential,
        loaded,
        pacing,
        streams,
        conduitMemoryMb: { rssBefore: before.rssMb, rssAfter: after.rssMb, peakRss: after.peakRssMb },
        sdkFloorMemoryMb: { rssAfter: floorAfter.rssMb },
        targets,
      };
      console.log(`BENCH_JSON ${benchJson(json)}`);
    } finally {
      await world.close();
    }
  } finally {
    await sdkFloor.stop();
    await upstream.stop();
  }
}

// No top-level await: tsx may load this file as CommonJS (the package has no "type": "module").
main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
