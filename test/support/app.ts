/**
 * Starts Conduit's production build as a child process, on its own database, with fixtures
 * written through Conduit's own lib/ functions first. Tests then talk to it over real HTTP.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, type Db, type DbHandle } from "@/lib/db";
import { startNeonWsProxy, type NeonWsProxy } from "./neon-ws-proxy";

/** `neon`: PostgreSQL reached through Neon's serverless driver and a local WebSocket proxy. */
export type Backend = "pglite" | "postgres" | "neon";

const ROOT = path.resolve(__dirname, "../..");
export const ADMIN_DATABASE_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Which database the current vitest project runs against. */
export function testBackend(): Backend {
  const backend = process.env.CONDUIT_TEST_DB;
  return backend === "postgres" || backend === "neon" ? backend : "pglite";
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function createPostgresDatabase(): Promise<string> {
  const name = `conduit_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Removes a test database (processes still connected, such as a killed app's, are disconnected). */
export async function dropPostgresDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

/** The test PostgreSQL's `host:port`, the one address the Neon proxy lets connections reach. */
export function postgresAddress(): string {
  const url = new URL(ADMIN_DATABASE_URL);
  return `${url.hostname}:${url.port || "5432"}`;
}

/** A fresh, migrated database of one backend, with the environment that points Conduit at it. */
export interface TestDatabase {
  /** This process's own connection (through the proxy on the neon backend, so fixtures use the driver too). */
  handle: DbHandle;
  /** DATABASE_URL and driver settings for the app; empty for PGlite, which uses DATA_DIR. */
  env: Record<string, string>;
  /** The WebSocket proxy Neon's driver connects through; neon backend only. */
  neonProxy: NeonWsProxy | null;
  /** Closes this process's connection; PGlite must be released before the app opens its directory. */
  release(): Promise<void>;
  /** Releases, then drops the database and stops the proxy. */
  close(): Promise<void>;
}

export async function openTestDatabase(backend: Backend, dataDir: string): Promise<TestDatabase> {
  const url = backend === "pglite" ? undefined : await createPostgresDatabase();
  const neonProxy = backend === "neon" ? await startNeonWsProxy([postgresAddress()]) : null;
  const env: Record<string, string> = {};
  if (url) env.DATABASE_URL = url;
  if (neonProxy) Object.assign(env, { DATABASE_DRIVER: "neon", NEON_WS_PROXY: neonProxy.url });
  const handle = await openDatabase({ url, dataDir, driver: neonProxy ? "neon" : "pg", neonWsProxy: neonProxy?.url });
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await handle.close();
  };
  return {
    handle,
    env,
    neonProxy,
    release,
    close: async () => {
      await release();
      if (url) await dropPostgresDatabase(url);
      await neonProxy?.close();
    },
  };
}

export interface RunningApp {
  url: string;
  port: number;
  dataDir: string;
  env: Record<string, string>;
  /** Everything the process printed, for assertions and for debugging failures. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Stops and starts again on the same port, data and environment. */
  restart(): Promise<void>;
  /** The server process's id (changes on restart), e.g. to read its memory use. */
  pid(): number | undefined;
}

export interface World<T> {
  app: RunningApp;
  backend: Backend;
  seeded: T;
  /** A live connection for changing data mid-test; Postgres only (PGlite allows one process). */
  db: Db | null;
  /** The WebSocket proxy between Conduit and PostgreSQL; neon backend only. */
  neonProxy: NeonWsProxy | null;
  close(): Promise<void>;
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Conduit exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Conduit did not become healthy:\n${output()}`);
}

/** `nodeArgs`: extra flags for Node itself, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS). */
export async function launchApp(env: Record<string, string>, nodeArgs: string[] = []): Promise<RunningApp> {
  const appPort = await freePort();
  const fullEnv: Record<string, string> = { ...env, PORT: String(appPort), HOST: "127.0.0.1" };
  let child: ChildProcess;
  let log = "";

  const start = async () => {
    log = "";
    child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "server.ts"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production", ...fullEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
    await waitForHealth(`http://127.0.0.1:${appPort}`, child, () => log);
  };

  const stop = async (signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill(signal);
    return exited;
  };

  await start();
  return {
    url: `http://127.0.0.1:${appPort}`,
    port: appPort,
    dataDir: fullEnv.DATA_DIR ?? "",
    env: fullEnv,
    output: () => log,
    pid: () => child.pid,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
  };
}

/**
 * A fresh database (a new Postgres database, or a new PGlite directory), migrated and seeded by
 * `seed`, then Conduit started on it with `env`.
 */
export async function startWorld<T>(options: {
  /** Writes fixtures; `dataDir` is the app's DATA_DIR, for files an earlier start would have left there. */
  seed: (db: Db, dataDir: string) => Promise<T>;
  env?: Record<string, string>;
  nodeArgs?: string[];
  backend?: Backend;
}): Promise<World<T>> {
  const backend = options.backend ?? testBackend();
  const dataDir = mkdtempSync(path.join(tmpdir(), "conduit-test-"));
  // Fixtures encrypt provider secrets in this process; the app must decrypt them with the same key.
  process.env.CONDUIT_ENCRYPTION_KEY ??= randomBytes(32).toString("base64");
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    CONDUIT_ENCRYPTION_KEY: process.env.CONDUIT_ENCRYPTION_KEY,
    ...options.env,
  };
  const database = await openTestDatabase(backend, dataDir);
  Object.assign(env, database.env);
  const seeded = await options.seed(database.handle.db, dataDir);
  // PGlite is single-process: release it before the app opens the same directory.
  if (backend === "pglite") await database.release();
  const app = await launchApp(env, options.nodeArgs);
  return {
    app,
    backend,
    seeded,
    db: backend === "pglite" ? null : database.handle.db,
    neonProxy: database.neonProxy,
    close: async () => {
      await app.stop();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function readDemoFile(dataDir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(dataDir, "demo.json"), "utf8")) as Record<string, unknown>;
}
