/** Summaries of measured scenarios and the human-readable report. */
import type { Measurement, TimingPart } from "./load";
import type { MemoryReading } from "./processes";
import { difference, percentiles, type Percentiles } from "./stats";

export interface ScenarioSummary {
  requests: number;
  errors: number;
  requestsPerSecond: number;
  latencyMs: Percentiles | null;
  ttfbMs: Percentiles | null;
  /** CPU the serving process (upstream or Conduit) spent per request: its cost without contention. */
  serverCpuMsPerRequest: number;
  /** Conduit's own account of each request (Server-Timing); null for the direct upstream. */
  serverTimingMs: Record<TimingPart, Percentiles | null> | null;
}

export function summarize(measurement: Measurement, serverCpuMs: number): ScenarioSummary {
  const timing = measurement.serverTimingMs;
  return {
    requests: measurement.requests,
    errors: measurement.errors,
    requestsPerSecond: measurement.requests / measurement.seconds,
    latencyMs: percentiles(measurement.latencyMs),
    ttfbMs: percentiles(measurement.ttfbMs),
    serverCpuMsPerRequest: measurement.sent > 0 ? serverCpuMs / measurement.sent : 0,
    serverTimingMs:
      timing.total.length === 0
        ? null
        : { gateway: percentiles(timing.gateway), model: percentiles(timing.model), total: percentiles(timing.total) },
  };
}

export interface Comparison {
  direct: ScenarioSummary;
  /** The AI SDK alone in front of the same upstream (bench/sdk-floor.ts). */
  floor: ScenarioSummary;
  conduit: ScenarioSummary;
  addedLatencyMs: Percentiles | null;
  addedTtfbMs: Percentiles | null;
  /** What the AI SDK alone adds over the upstream: the part of Conduit's figure no gateway on this stack avoids. */
  floorAddedLatencyMs: Percentiles | null;
  floorAddedTtfbMs: Percentiles | null;
  /** Conduit's requests/s over the direct baseline's. */
  throughputRatio: number;
}

export function comparison(direct: ScenarioSummary, floor: ScenarioSummary, conduit: ScenarioSummary): Comparison {
  return {
    direct,
    floor,
    conduit,
    addedLatencyMs: difference(conduit.latencyMs, direct.latencyMs),
    addedTtfbMs: difference(conduit.ttfbMs, direct.ttfbMs),
    floorAddedLatencyMs: difference(floor.latencyMs, direct.latencyMs),
    floorAddedTtfbMs: difference(floor.ttfbMs, direct.ttfbMs),
    throughputRatio: direct.requestsPerSecond > 0 ? conduit.requestsPerSecond / direct.requestsPerSecond : 0,
  };
}

const ms = (value: number | undefined): string => (value === undefined ? "-" : value.toFixed(2));
const signedMs = (value: number | undefined): string => (value === undefined ? "-" : `${value >= 0 ? "+" : ""}${value.toFixed(2)}`);

function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");
  return [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}

function scenarioRow(name: string, s: ScenarioSummary): string[] {
  return [
    name,
    s.requestsPerSecond.toFixed(0),
    ms(s.latencyMs?.p50),
    ms(s.latencyMs?.p99),
    ms(s.ttfbMs?.p50),
    ms(s.ttfbMs?.p99),
    ms(s.serverTimingMs?.gateway?.p50),
    ms(s.serverTimingMs?.gateway?.p99),
    s.serverCpuMsPerRequest.toFixed(2),
    String(s.errors),
  ];
}

export function formatReport(
  nonStreaming: Comparison,
  streaming: Comparison,
  memory: { before: MemoryReading; after: MemoryReading },
): string {
  const table = formatTable(
    ["scenario", "req/s", "p50 ms", "p99 ms", "ttfb p50", "ttfb p99", "gateway p50", "gateway p99", "cpu ms/req", "errors"],
    [
      scenarioRow("non-streaming, direct", nonStreaming.direct),
      scenarioRow("non-streaming, AI SDK alone", nonStreaming.floor),
      scenarioRow("non-streaming, Conduit", nonStreaming.conduit),
      scenarioRow("streaming, direct", streaming.direct),
      scenarioRow("streaming, AI SDK alone", streaming.floor),
      scenarioRow("streaming, Conduit", streaming.conduit),
    ],
  );
  const added = nonStreaming.addedLatencyMs;
  const addedTtfb = streaming.addedTtfbMs;
  const timing = nonStreaming.conduit.serverTimingMs;
  return [
    table,
    "(gateway: Conduit's own Server-Timing figure; cpu ms/req: CPU of the serving process: upstream, AI SDK alone or Conduit)",
    "",
    `Non-streaming: Conduit adds p50 ${signedMs(added?.p50)} ms, p99 ${signedMs(added?.p99)} ms; ` +
      `throughput ratio ${nonStreaming.throughputRatio.toFixed(3)}`,
    `Non-streaming: the AI SDK alone adds p50 ${signedMs(nonStreaming.floorAddedLatencyMs?.p50)} ms, ` +
      `p99 ${signedMs(nonStreaming.floorAddedLatencyMs?.p99)} ms`,
    `Non-streaming: Conduit's gateway time p50 ${ms(timing?.gateway?.p50)} ms, p99 ${ms(timing?.gateway?.p99)} ms ` +
      `(Server-Timing p50 model ${ms(timing?.model?.p50)}, total ${ms(timing?.total?.p50)}; ` +
      `the client saw p50 ${ms(nonStreaming.conduit.latencyMs?.p50)})`,
    `Streaming:     Conduit adds TTFB p50 ${signedMs(addedTtfb?.p50)} ms, p99 ${signedMs(addedTtfb?.p99)} ms; ` +
      `throughput ratio ${streaming.throughputRatio.toFixed(3)}`,
    `Streaming:     the AI SDK alone adds TTFB p50 ${signedMs(streaming.floorAddedTtfbMs?.p50)} ms, ` +
      `p99 ${signedMs(streaming.floorAddedTtfbMs?.p99)} ms`,
    `Conduit RSS:   ${memory.before.rssMb.toFixed(1)} MB before load, ${memory.after.rssMb.toFixed(1)} MB after ` +
      `(peak ${memory.after.peakRssMb.toFixed(1)} MB)`,
  ].join("\n");
}

/** One of the hot path's targets, with what this run measured. */
export interface TargetCheck {
  name: string;
  limit: string;
  measured: string;
  holds: boolean;
  /** The same figure for the AI SDK alone (`npm run bench`): where the stack itself stands against the limit. */
  floor?: string;
}

export function formatTargets(checks: TargetCheck[]): string {
  const withFloor = checks.some((check) => check.floor !== undefined);
  return formatTable(
    ["target", "limit", "measured", "holds", ...(withFloor ? ["AI SDK alone"] : [])],
    checks.map((check) => [
      check.name,
      check.limit,
      check.measured,
      check.holds ? "yes" : "NO",
      ...(withFloor ? [check.floor ?? "-"] : []),
    ]),
  );
}
