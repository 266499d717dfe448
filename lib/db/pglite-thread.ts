import path from "node:path";
import { Worker } from "node:worker_threads";
import type { PGlite, Results } from "@electric-sql/pglite";

/** What the main thread asks of the database thread. */
export type ThreadRequest =
  | { id: number; op: "query"; sql: string; params: unknown[]; rowMode: "array" | "object"; tx: number | null }
  | { id: number; op: "begin" }
  | { id: number; op: "end"; tx: number; commit: boolean }
  | { id: number; op: "close" };

/** A database error as it crosses threads: its message and its fields (SQLSTATE `code`, `constraint`, …). */
export interface ThreadError {
  name: string;
  message: string;
  fields: Record<string, string | number>;
}

type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

export type ThreadReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: ThreadError };

/** What the database thread is started with. */
export interface ThreadOptions {
  dataDir: string;
  migrationsFolder: string;
}

/** The one message the thread sends unasked: that the database is open and migrated, or why not. */
export type ThreadReady = { ready: true } | { ready: false; error: ThreadError };

interface QueryOptions {
  rowMode?: "array" | "object";
}

/** The part of PGlite's interface drizzle's PGlite driver uses: queries and transactions. */
interface Queryable {
  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
}

export interface PgliteThreadClient extends Queryable {
  transaction<T>(callback: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const WORKER_FILE = path.join(process.cwd(), "lib", "db", "pglite-worker.ts");

function revive(error: ThreadError): Error {
  return Object.assign(new Error(error.message), error.fields, { name: error.name });
}

/**
 * PGlite runs Postgres compiled to WebAssembly, synchronously: on the thread that serves
 * requests, every statement would stall every other request for its whole duration. Here it
 * runs on a thread of its own and the server's thread only sends statements and reads rows.
 */
export async function openPgliteThread(options: ThreadOptions): Promise<PgliteThreadClient> {
  // The thread loads TypeScript like the server does (tsx), from the same source tree.
  const worker = new Worker(`require("tsx/cjs/api").register(); require(${JSON.stringify(WORKER_FILE)});`, {
    eval: true,
    workerData: options,
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let failure: Error | null = null;

  await new Promise<void>((resolve, reject) => {
    worker.once("message", (message: ThreadReady) => (message.ready ? resolve() : reject(revive(message.error))));
    worker.once("error", reject);
  });
  worker.on("message", (reply: ThreadReply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.ok) waiting?.resolve(reply.value);
    else waiting?.reject(revive(reply.error));
  });
  const stop = (error: Error) => {
    failure = error;
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  worker.on("error", (error) => {
    console.error(`[db] the embedded database thread failed: ${error.message}`);
    stop(error);
  });
  worker.on("exit", () => stop(new Error("the embedded database is closed")));

  const call = <T>(request: WithoutId<ThreadRequest>): Promise<T> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: (value) => resolve(value as T), reject });
      worker.postMessage({ ...request, id });
    });
  };
  const queryIn =
    (tx: number | null) =>
    <T>(sql: string, params: unknown[] = [], queryOptions: QueryOptions = {}) =>
      call<Results<T>>({ op: "query", sql, params, rowMode: queryOptions.rowMode ?? "object", tx });

  return {
    query: queryIn(null),
    async transaction(callback) {
      const tx = await call<number>({ op: "begin" });
      let result;
      try {
        result = await callback({ query: queryIn(tx) });
      } catch (error) {
        await call({ op: "end", tx, commit: false }).catch(() => undefined);
        throw error;
      }
      await call({ op: "end", tx, commit: true });
      return result;
    },
    async close() {
      await call({ op: "close" }).catch(() => undefined);
      await worker.terminate();
    },
  };
}

/** Drizzle's PGlite driver takes a PGlite; the thread's client answers every call it makes. */
export const asPglite = (client: PgliteThreadClient) => client as unknown as PGlite;
