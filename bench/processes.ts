/** The processes around a benchmark: the production build, the scripted upstream, memory readings. */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";

const PROCESS_START_TIMEOUT_MS = 30_000;

/** startWorld runs the production server, so a missing build is made first. */
export async function ensureProductionBuild(root: string): Promise<void> {
  if (existsSync(path.join(root, ".next", "BUILD_ID"))) return;
  console.log("No production build in .next/: running `npx next build` first.");
  const build = spawn("npx", ["next", "build"], { cwd: root, stdio: "inherit" });
  const code = await new Promise<number | null>((resolve, reject) => {
    build.once("error", reject);
    build.once("exit", resolve);
  });
  if (code !== 0) throw new Error(`next build failed with exit code ${code}`);
}

export interface ListeningProcess {
  baseUrl: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts a TypeScript script of the repository in its own process, so serving does not share an
 * event loop with the load generator. The script prints `{"baseUrl":...}` once listening.
 */
async function startListeningProcess(root: string, name: string, args: string[]): Promise<ListeningProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    await exited;
  };

  const lines = createInterface({ input: child.stdout });
  const firstLine = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in time`)), PROCESS_START_TIMEOUT_MS);
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before starting`));
    });
  });
  try {
    const parsed: unknown = JSON.parse(await firstLine);
    if (typeof parsed !== "object" || parsed === null || !("baseUrl" in parsed) || typeof parsed.baseUrl !== "string") {
      throw new Error(`${name} printed no baseUrl`);
    }
    lines.close();
    if (child.pid === undefined) throw new Error(`${name} has no process id`);
    return { baseUrl: parsed.baseUrl, pid: child.pid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The scripted OpenAI-compatible upstream (test/support/scripted-upstream.ts), on 127.0.0.1 unless another host is named. */
export const startUpstreamProcess = (root: string, host = "127.0.0.1"): Promise<ListeningProcess> =>
  startListeningProcess(root, "scripted upstream", ["test/support/scripted-upstream.ts", "--port", "0", "--host", host, "--no-record"]);

/** The AI SDK alone in front of that upstream (bench/sdk-floor.ts): the floor under Conduit. */
export const startSdkFloorProcess = (root: string, upstreamBaseUrl: string, model: string): Promise<ListeningProcess> =>
  startListeningProcess(root, "AI SDK floor", ["bench/sdk-floor.ts", "--upstream", upstreamBaseUrl, "--model", model]);

export interface MemoryReading {
  /** Resident set size now. */
  rssMb: number;
  /** The process's peak resident set size so far. */
  peakRssMb: number;
}

/** Reads a `Name:   1234 kB` line of /proc/<pid>/status, in MB. */
function statusFieldMb(status: string, field: string): number {
  const kb = status.match(new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, "m"))?.[1];
  if (kb === undefined) throw new Error(`/proc status has no ${field}`);
  return Number(kb) / 1024;
}

/** The memory of a process (Linux only). */
export function readMemory(pid: number): MemoryReading {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return { rssMb: statusFieldMb(status, "VmRSS"), peakRssMb: statusFieldMb(status, "VmHWM") };
}

/** /proc reports CPU time in USER_HZ ticks, which Linux fixes at 100 per second for user space. */
const MS_PER_TICK = 10;

/** CPU time (user + system, all threads) a process has used so far, in ms (Linux only). */
export function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name (which may contain spaces): utime is the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
}
