import { mkdirSync } from "node:fs";
import path from "node:path";
import type { NeonConfig } from "@neondatabase/serverless";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { config } from "@/lib/config";
import { describeFailure } from "@/lib/runtime/failure";
import { asPglite, openPgliteThread } from "./pglite-thread";
import * as schema from "./schema";
import { prepareVectors, vectorSessionSetting } from "./vectors";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DbKind = "pglite" | "postgres" | "neon";

export interface DbHandle {
  db: Db;
  kind: DbKind;
  close: () => Promise<void>;
}

/** One line per statement, SQL only: parameters may hold secrets. */
const logStatement = (sql: string) => console.log(`[db] ${sql.replace(/\s+/g, " ")}`);
/** Drizzle's logger, when statements are to be logged (DB_LOG_STATEMENTS). */
const statementLogger = () => (config().DB_LOG_STATEMENTS ? { logQuery: logStatement } : undefined);

const MIGRATIONS_FOLDER = path.join(process.cwd(), "drizzle");
/** Serialises migrations when several instances start at once against one Postgres. */
const MIGRATION_LOCK_ID = 727_001;

export type DatabaseDriver = "auto" | "pg" | "neon";

export interface DatabaseTarget {
  /** postgres://…; without it, PGlite stored under dataDir. */
  url?: string;
  dataDir: string;
  /** Which driver opens `url`; `auto` (the default) picks Neon's for Neon hosts or with a proxy. */
  driver?: DatabaseDriver;
  /** A ws:// or wss:// WebSocket-to-Postgres proxy that Neon's driver goes through. */
  neonWsProxy?: string;
}

/** Neon's serverless driver speaks WebSockets/HTTP to Neon's proxy; other hosts get plain TCP. */
function isNeonHost(url: string): boolean {
  try {
    return new URL(url).hostname.endsWith(".neon.tech");
  } catch {
    return false;
  }
}

function usesNeonDriver(url: string, target: DatabaseTarget): boolean {
  const driver = target.driver ?? "auto";
  if (driver !== "auto") return driver === "neon";
  // A WebSocket proxy only serves Neon's driver, so configuring one asks for it.
  return Boolean(target.neonWsProxy) || isNeonHost(url);
}

async function openPglite(dataDir: string): Promise<DbHandle> {
  const { drizzle } = await import("drizzle-orm/pglite");
  const dir = path.join(dataDir, "pglite");
  mkdirSync(dir, { recursive: true });
  // Opened and migrated on its own thread, off the one that serves requests.
  const client = await openPgliteThread({ dataDir: dir, migrationsFolder: MIGRATIONS_FOLDER });
  const logger = statementLogger();
  if (logger) {
    // Drizzle sends PGlite's begin and commit itself, past its logger; each is a round trip too.
    const transaction = client.transaction.bind(client);
    client.transaction = (callback) => {
      logger.logQuery("begin");
      return transaction(callback).finally(() => logger.logQuery("commit"));
    };
  }
  const db = drizzle({ client: asPglite(client), schema, logger }) as unknown as Db;
  await prepareVectors(db, "pglite");
  return { db, kind: "pglite", close: () => client.close() };
}

interface LockablePool {
  connect(): Promise<{ query(text: string, params: unknown[]): Promise<unknown>; release(): void }>;
}

/** Holds a session-level advisory lock on its own connection while migrations run. */
async function migrateUnderLock(pool: LockablePool, run: () => Promise<void>): Promise<void> {
  const lock = await pool.connect();
  try {
    await lock.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_ID]);
    await run();
  } finally {
    await lock.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_ID]).catch(() => undefined);
    lock.release();
  }
}

/**
 * Each new pooled connection gets the session setting approximate vector search needs, before the
 * pool hands it out. Where it fails (pgvector older than 0.8 refuses the name) the connection
 * still serves; searches then complete from an exact scan when the index comes back short.
 */
function vectorSessionSetup(): (client: { query(text: string): Promise<unknown> }) => Promise<void> {
  const setting = vectorSessionSetting();
  let reported = false;
  return async (client) => {
    try {
      await client.query(setting);
    } catch (error) {
      if (reported) return;
      reported = true;
      console.log(`[db] the vector search settings failed (${describeFailure(error)}): searches may fall back to exact scans`);
    }
  };
}

/**
 * A pool reports an idle connection the server ended (restart, failover, a dropped database) as
 * an `error` event, which would crash the process unheard; the pool opens a new one when needed.
 */
function logIdleConnectionError(error: Error): void {
  console.error(`[db] an idle database connection was closed: ${error.message}`);
}

interface EndablePool {
  totalCount: number;
  on(event: "remove", listener: () => void): unknown;
  end(): Promise<void>;
}

/**
 * pg's pool.end() resolves before its connections have closed; a caller that then drops the
 * database (the tests do) would cut them off mid-goodbye and crash this process with their error.
 */
async function endPool(pool: EndablePool): Promise<void> {
  let open = pool.totalCount;
  const allRemoved = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on("remove", () => {
      if (--open === 0) resolve();
    });
  });
  await pool.end();
  await allRemoved;
}

async function openPostgres(url: string): Promise<DbHandle> {
  const { Pool } = await import("pg");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const { migrate } = await import("drizzle-orm/node-postgres/migrator");
  const pool = new Pool({ connectionString: url, max: 10, onConnect: vectorSessionSetup() });
  pool.on("error", logIdleConnectionError);
  const db = drizzle({ client: pool, schema, logger: statementLogger() });
  await migrateUnderLock(pool, async () => {
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    await prepareVectors(db as unknown as Db, "postgres");
  });
  return { db: db as unknown as Db, kind: "postgres", close: () => endPool(pool) };
}

/**
 * Driver settings for a self-hosted WebSocket-to-Postgres proxy instead of Neon's own. TLS follows
 * the proxy URL's scheme. Pipelining the start-up assumes Neon's cleartext-password login; a
 * self-hosted Postgres may ask for SCRAM or trust the connection, so the driver awaits each reply.
 */
function proxySettings(wsProxy: string): Partial<NeonConfig> {
  const proxy = new URL(wsProxy);
  const endpoint = `${proxy.host}${proxy.pathname.replace(/\/$/, "")}`;
  return {
    wsProxy: (host, port) => `${endpoint}?address=${host}:${port}`,
    useSecureWebSocket: proxy.protocol === "wss:",
    pipelineConnect: false,
    pipelineTLS: false,
  };
}

async function openNeon(url: string, wsProxy: string | undefined): Promise<DbHandle> {
  const { Client, Pool, neonConfig } = await import("@neondatabase/serverless");
  const { drizzle } = await import("drizzle-orm/neon-serverless");
  const { migrate } = await import("drizzle-orm/neon-serverless/migrator");
  // Node 20 has no global WebSocket; the `ws` package fills in.
  const { default: WebSocket } = await import("ws");
  neonConfig.webSocketConstructor = WebSocket;
  const settings = wsProxy ? proxySettings(wsProxy) : {};
  // Per connection rather than in the driver's global settings, which every pool of the process
  // shares: another handle (the tests open several) may go through another proxy or none.
  class ConfiguredClient extends Client {
    constructor(config?: ConstructorParameters<typeof Client>[0]) {
      super(config);
      Object.assign(this.neonConfig, settings);
    }
  }
  class ConfiguredPool extends Pool {
    override Client = ConfiguredClient;
  }
  // Its bundled pg-pool runs onConnect like pg's own; its typings do not list the option yet.
  const options = { connectionString: url, max: 10, onConnect: vectorSessionSetup() };
  const pool = new ConfiguredPool(options);
  pool.on("error", logIdleConnectionError);
  const db = drizzle({ client: pool, schema, logger: statementLogger() });
  await migrateUnderLock(pool, async () => {
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    await prepareVectors(db as unknown as Db, "neon");
  });
  // Neon's Pool is node-postgres's pool underneath, with the same early resolving end().
  return { db: db as unknown as Db, kind: "neon", close: () => endPool(pool) };
}

/**
 * Opens and migrates a database: Postgres when a URL is given (with Neon's driver or pg, see
 * DatabaseTarget.driver), otherwise PGlite stored under dataDir. The app uses getDb(); tools and
 * tests may open their own.
 */
export function openDatabase(target: DatabaseTarget): Promise<DbHandle> {
  if (!target.url) return openPglite(target.dataDir);
  return usesNeonDriver(target.url, target) ? openNeon(target.url, target.neonWsProxy) : openPostgres(target.url);
}

function open(): Promise<DbHandle> {
  const env = config();
  return openDatabase({ url: env.DATABASE_URL, dataDir: env.dataDir, driver: env.DATABASE_DRIVER, neonWsProxy: env.NEON_WS_PROXY });
}

// Next.js bundles instrumentation and each route separately; one handle per process must be
// shared through globalThis, or PGlite would open its data directory twice.
const globalForDb = globalThis as typeof globalThis & { __conduitDb?: Promise<DbHandle> };

function handle(): Promise<DbHandle> {
  globalForDb.__conduitDb ??= open().catch((error: unknown) => {
    globalForDb.__conduitDb = undefined;
    throw error;
  });
  return globalForDb.__conduitDb;
}

/** The migrated database; the first call opens it and applies pending migrations. */
export async function getDb(): Promise<Db> {
  return (await handle()).db;
}

export async function getDbKind(): Promise<DbKind> {
  return (await handle()).kind;
}

export async function closeDb(): Promise<void> {
  const pending = globalForDb.__conduitDb;
  globalForDb.__conduitDb = undefined;
  if (pending) await (await pending).close();
}
