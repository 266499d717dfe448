/**
 * Several web processes on one machine (WEB_CONCURRENCY > 1). The primary process only
 * supervises: it forks the processes with node:cluster, which shares the one port between them
 * (the primary accepts connections and hands them out in turn); replaces a process that dies,
 * after a pause that grows while replacements keep dying, so a crash loop cannot become a restart
 * storm; and on SIGTERM/SIGINT asks every process to stop, exiting once all have. It never opens
 * the database: each process migrates (under the advisory lock, so only the first does any work)
 * and runs its own job worker, exactly as a single process does.
 */
import cluster, { type Worker } from "node:cluster";
import { createServer } from "node:net";
import { listenOn } from "./listen";

/** What a process tells the supervisor once it serves requests. */
interface ReadyMessage {
  type: "conduit:ready";
  banner: string;
  /** This process seeded the demo: its banner carries the first start's instructions. */
  seededDemo: boolean;
}

const isReadyMessage = (message: unknown): message is ReadyMessage =>
  typeof message === "object" && message !== null && "type" in message && message.type === "conduit:ready";

/** True in a web process the supervisor started. */
export function isSupervisedProcess(): boolean {
  return cluster.isWorker;
}

/** Tells the supervisor that this process serves requests now; it prints one banner for all of them. */
export function reportReady(banner: string, seededDemo: boolean): void {
  const message: ReadyMessage = { type: "conduit:ready", banner, seededDemo };
  process.send?.(message);
}

const FIRST_RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 30_000;
/** A process that served this long before it died crashed once, not in a loop: the restart delay starts over. */
const STABLE_UPTIME_MS = 60_000;
/** A process finishes its requests and jobs within about 20 s of SIGTERM; one still running after this is killed. */
const STOP_DEADLINE_MS = 30_000;

export interface SupervisorOptions {
  processes: number;
  port: number;
  host: string;
  /** The module each web process runs. */
  exec: string;
  /** Printed (to stderr) once the port is known to be free, before any process starts. */
  warnings: string[];
}

const describeExit = (code: number | null, signal: string | null) => (signal ? `signal ${signal}` : `exit code ${code}`);

/** Runs `processes` web processes until SIGTERM/SIGINT, then exits: 0 when every one stopped cleanly. */
export async function superviseWebProcesses(options: SupervisorOptions): Promise<void> {
  // A busy port fails here, before any process opens the database, as a single process does.
  const probe = createServer();
  await listenOn(probe, options.port, options.host);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  for (const warning of options.warnings) console.warn(`[conduit] warning: ${warning}`);

  cluster.setupPrimary({ exec: options.exec });
  const running = new Set<Worker>();
  const pendingRestarts = new Set<NodeJS.Timeout>();
  const firstReports: ReadyMessage[] = [];
  let started = false;
  let stopping = false;
  let exitCode = 0;
  let crashesInARow = 0;

  const stopAll = (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    console.log(`[conduit] ${reason}: stopping ${running.size} web process(es)`);
    for (const timer of pendingRestarts) clearTimeout(timer);
    for (const worker of running) worker.process.kill("SIGTERM");
    if (running.size === 0) process.exit(exitCode);
    setTimeout(() => {
      console.error(`[conduit] ${running.size} web process(es) still running after ${STOP_DEADLINE_MS / 1000} s: killing them`);
      exitCode = 1;
      for (const worker of running) worker.process.kill("SIGKILL");
    }, STOP_DEADLINE_MS).unref();
  };

  const announce = (worker: Worker, report: ReadyMessage) => {
    if (started) {
      console.log(`[conduit] web process ${worker.process.pid} is serving`);
      return;
    }
    firstReports.push(report);
    if (firstReports.length < options.processes) return;
    started = true;
    console.log((firstReports.find((first) => first.seededDemo) ?? report).banner);
    const pids = [...running].map((each) => each.process.pid).join(", ");
    console.log(`[conduit] ${options.processes} web processes serving (pids ${pids})`);
  };

  const start = () => {
    const worker = cluster.fork();
    running.add(worker);
    let readyAt: number | undefined;
    worker.on("message", (message: unknown) => {
      if (!isReadyMessage(message) || stopping) return;
      readyAt = Date.now();
      announce(worker, message);
    });
    worker.on("exit", (code, signal) => {
      running.delete(worker);
      if (stopping) {
        // Killed by the signal it was sent before it could handle it (still starting): stopped as asked.
        if (code !== 0 && signal !== "SIGTERM" && signal !== "SIGINT") exitCode = 1;
        if (running.size === 0) process.exit(exitCode);
        return;
      }
      const how = describeExit(code, signal);
      // Its own output says why; the others would most likely fail the same way.
      if (!started) return stopAll(`web process ${worker.process.pid} failed to start (${how})`, 1);
      const stable = readyAt !== undefined && Date.now() - readyAt >= STABLE_UPTIME_MS;
      crashesInARow = stable ? 1 : crashesInARow + 1;
      const delayMs = Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** (crashesInARow - 1));
      console.error(`[conduit] web process ${worker.process.pid} exited unexpectedly (${how}); replacing it in ${delayMs / 1000} s`);
      const timer = setTimeout(() => {
        pendingRestarts.delete(timer);
        start();
      }, delayMs);
      pendingRestarts.add(timer);
    });
  };

  process.on("SIGTERM", () => stopAll("SIGTERM", 0));
  process.on("SIGINT", () => stopAll("SIGINT", 0));
  for (let i = 0; i < options.processes; i++) start();
}
