/**
 * WEB_CONCURRENCY: `npm start` as several web processes sharing one port (node:cluster). Several
 * processes need PostgreSQL; the refusal without it runs on the embedded database.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresDatabase, dropPostgresDatabase, launchApp, testBackend, type RunningApp } from "./support/app";

const onPostgres = testBackend() === "postgres";
const MIGRATIONS = (JSON.parse(readFileSync(path.resolve(__dirname, "../drizzle/meta/_journal.json"), "utf8")) as { entries: unknown[] })
  .entries.length;

/** Waits until the app's output matches `pattern` (after `from` characters), and returns the match. */
async function waitForOutput(app: RunningApp, pattern: RegExp, from = 0, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = app.output().slice(from).match(pattern);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`No ${pattern} in the output within ${timeoutMs} ms:\n${app.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const pidsIn = (list: string) => list.split(", ").map(Number);

/** The socket inode of the TCP connection from 127.0.0.1:`clientPort` to 127.0.0.1:`serverPort`, server side. */
function serverSocketInode(serverPort: number, clientPort: number): string | undefined {
  const endpoint = (port: number) => `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === endpoint(serverPort) && fields[2] === endpoint(clientPort)) return fields[9];
  }
  return undefined;
}

/**
 * Which of `pids` served a request: asks /api/health on a connection of its own and, while that
 * connection is still open, finds the process holding its server side (Linux's /proc), so the
 * app needs to reveal nothing about its processes.
 */
async function servingPid(app: RunningApp, pids: number[]): Promise<number | undefined> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const clientPort = await new Promise<number>((resolve, reject) => {
      const request = http.get(`${app.url}/api/health`, { agent }, (response) => {
        response.resume();
        response.on("end", () =>
          response.statusCode === 200 ? resolve(request.socket!.localPort!) : reject(new Error(`status ${response.statusCode}`)),
        );
      });
      request.on("error", reject);
    });
    const inode = serverSocketInode(app.port, clientPort);
    if (!inode) return undefined;
    return pids.find((pid) => {
      try {
        return readdirSync(`/proc/${pid}/fd`).some((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`);
      } catch {
        return false; // the process is gone, or the descriptor closed meanwhile
      }
    });
  } finally {
    agent.destroy();
  }
}

/** The processes that served `count` requests, each on a new connection. */
async function servingPids(app: RunningApp, pids: number[], count: number): Promise<Set<number | undefined>> {
  const seen = new Set<number | undefined>();
  for (let i = 0; i < count; i++) seen.add(await servingPid(app, pids));
  return seen;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it.skipIf(onPostgres)("refuses WEB_CONCURRENCY > 1 on the embedded database, saying why", async () => {
  const dataDir = path.join(tmpdir(), `conduit-web-concurrency-${randomBytes(4).toString("hex")}`);
  try {
    await expect(launchApp({ DATA_DIR: dataDir, WEB_CONCURRENCY: "2" })).rejects.toThrow(
      /Conduit exited with 1[\s\S]*WEB_CONCURRENCY: 2 processes need DATABASE_URL \(PostgreSQL\); the embedded database \(PGlite\) can only be opened by one process/,
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe.skipIf(!onPostgres)("WEB_CONCURRENCY=2 on PostgreSQL", () => {
  let databaseUrl: string;
  let app: RunningApp;
  let pids: number[];
  const dataDir = path.join(tmpdir(), `conduit-web-concurrency-${randomBytes(4).toString("hex")}`);

  beforeAll(async () => {
    // An empty database: both processes migrate and seed the demo at once, as on a first start.
    databaseUrl = await createPostgresDatabase();
    app = await launchApp({
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      CONDUIT_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      WEB_CONCURRENCY: "2",
    });
    pids = pidsIn((await waitForOutput(app, /2 web processes serving \(pids (\d+, \d+)\)/))[1]!);
  });

  afterAll(async () => {
    await app?.stop("SIGKILL");
    // Web processes outlive a killed supervisor only until they notice (at once), but be sure.
    for (const pid of pids ?? []) if (isAlive(pid)) process.kill(pid, "SIGKILL");
    if (databaseUrl) await dropPostgresDatabase(databaseUrl);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("migrates and seeds once, prints one banner, and warns that rate limits are counted per process", async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const migrations = await client.query("select count(*)::int as count from drizzle.__drizzle_migrations");
      expect(migrations.rows[0]).toEqual({ count: MIGRATIONS });
      const organisations = await client.query("select count(*)::int as count from organisations");
      expect(organisations.rows[0]).toEqual({ count: 1 });
    } finally {
      await client.end();
    }
    const output = app.output();
    expect(output.match(/Conduit is running at/g)).toHaveLength(1);
    expect(output).toContain("Demo credentials are in");
    expect(output).toContain("web processes: 2 (WEB_CONCURRENCY)");
    expect(output).toContain("each web process counts rate limits on its own, so a key may make up to 2× its per-minute limit");
  });

  it("serves requests from both processes", async () => {
    expect(pids).toHaveLength(2);
    expect(pids).not.toContain(app.pid());
    expect(await servingPids(app, pids, 6)).toEqual(new Set(pids));
  });

  it("keeps answering when a process is killed, and replaces it", { timeout: 90_000 }, async () => {
    const [victim, survivor] = pids as [number, number];
    const before = app.output().length;
    process.kill(victim, "SIGKILL");
    await waitForOutput(
      app,
      new RegExp(`web process ${victim} exited unexpectedly \\(signal SIGKILL\\); replacing it in 1 s`),
      before,
      5_000,
    );
    expect(await servingPids(app, [survivor], 6)).toEqual(new Set([survivor]));

    const replacement = Number((await waitForOutput(app, /web process (\d+) is serving/, before, 80_000))[1]);
    expect(replacement).not.toBe(victim);
    pids = [survivor, replacement];
    expect(await servingPids(app, pids, 6)).toEqual(new Set(pids));
  });

  it("stops every process on SIGTERM and exits 0", async () => {
    expect(await app.stop("SIGTERM")).toBe(0);
    expect(app.output().match(/SIGTERM: finishing in-flight requests/g)).toHaveLength(2);
    expect(pids.filter(isAlive)).toEqual([]);
  });
});

describe.skipIf(!onPostgres)("WEB_CONCURRENCY=2 start-up checks", () => {
  it("exits at once on a busy port, naming it, before any process opens the database", async () => {
    const busy = http.createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const started = Date.now();
      // An unreachable database: a web process started anyway would fail on it instead.
      const supervisor = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
        cwd: path.resolve(__dirname, ".."),
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "",
          NODE_ENV: "production",
          PORT: String(port),
          HOST: "127.0.0.1",
          DATABASE_URL: "postgres://postgres@127.0.0.1:1/unreachable",
          CONDUIT_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
          WEB_CONCURRENCY: "2",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      supervisor.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      supervisor.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const exitCode = await new Promise<number | null>((resolve) => supervisor.once("exit", resolve));

      expect(exitCode).toBe(1);
      expect(output).toContain(`[conduit] failed to start: port ${port} on 127.0.0.1 is already in use`);
      expect(output).not.toContain("warning");
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      busy.close();
    }
  });
});
