/**
 * `npm run bench:profile -- <file.cpuprofile> [--top 25] [--from 20] [--to 40]`: a flat summary of a V8 CPU profile,
 * such as the one `npm run bench -- --cpu-prof <dir>` makes Conduit write.
 *
 * Prints where the busy (non-idle) time went, from `--from` seconds after the profile began (to
 * leave start-up out) until `--to` seconds (to look at one phase of a run): by package (our code, Next, the AI SDK, PGlite…),
 * by function (self time), and the inclusive time of our own functions.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Who owns a frame: a package under node_modules, our own folders, Node itself, or V8's pseudo-frames. */
function owner(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "node_modules/".length).split("/");
    const name = rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? "?");
    // Next bundles its dependencies (compiled/) and our route code into .next/server chunks.
    if (name === "next" && url.includes("/compiled/")) return `next (compiled ${rest[3] ?? "?"})`;
    return name;
  }
  if (url.includes("/.next/server/")) return ".next/server (our routes, bundled)";
  if (url.startsWith("node:internal/")) return "node:internal/" + url.slice(14).split("/")[0];
  if (url.startsWith("node:")) return url;
  const own = url.match(/\/(lib|app|bench|test)\//);
  return own ? `conduit ${own[1]}/` : url;
}

const label = (frame: CallFrame) =>
  `${frame.functionName || "(anonymous)"} ${frame.url.split("/").slice(-2).join("/")}:${frame.lineNumber + 1}`;

function topRows(totals: Map<string, number>, busyMs: number, limit: number): string[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, ms]) => `${ms.toFixed(0).padStart(8)} ms ${((ms / busyMs) * 100).toFixed(1).padStart(5)} %  ${name}`);
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: "string", default: "25" }, from: { type: "string", default: "0" }, to: { type: "string" } },
  });
  const file = positionals[0];
  if (!file) throw new Error("usage: npm run bench:profile -- <file.cpuprofile> [--top 25] [--from 20] [--to 40]");
  const limit = Number(values.top);
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;

  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const fromMicros = Number(values.from) * 1_000_000;
  const toMicros = values.to === undefined ? Infinity : Number(values.to) * 1_000_000;
  const selfMs = new Map<number, number>();
  let elapsedMicros = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    elapsedMicros += delta;
    if (elapsedMicros >= fromMicros && elapsedMicros < toMicros) selfMs.set(id, (selfMs.get(id) ?? 0) + delta / 1000);
  });

  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const ownInclusive = new Map<string, number>();
  let busyMs = 0;
  for (const [id, ms] of selfMs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === "(idle)") continue;
    busyMs += ms;
    byOwner.set(owner(frame), (byOwner.get(owner(frame)) ?? 0) + ms);
    byFunction.set(label(frame), (byFunction.get(label(frame)) ?? 0) + ms);
    // Inclusive time of our own functions: each sample counts once for every distinct own frame above it.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const above = byId.get(at)!.callFrame;
      if (!owner(above).startsWith("conduit")) continue;
      const name = label(above);
      if (seen.has(name)) continue;
      seen.add(name);
      ownInclusive.set(name, (ownInclusive.get(name) ?? 0) + ms);
    }
  }

  console.log(`busy ${busyMs.toFixed(0)} ms (idle excluded)\n\nby owner (self time):`);
  console.log(topRows(byOwner, busyMs, limit).join("\n"));
  console.log(`\nby function (self time):`);
  console.log(topRows(byFunction, busyMs, limit).join("\n"));
  console.log(`\nour functions (inclusive time):`);
  console.log(topRows(ownInclusive, busyMs, limit).join("\n"));
}

main();
