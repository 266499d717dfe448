/**
 * The embedded database's own thread (see pglite-thread.ts): opens and migrates PGlite, then
 * runs the statements the server's thread sends, inside transactions when asked.
 */
import { parentPort, workerData } from "node:worker_threads";
import { PGlite, types, type Transaction } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite/vector";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import type { ThreadError, ThreadOptions, ThreadReady, ThreadReply, ThreadRequest } from "./pglite-thread";

const keepText = (value: string) => value;
/**
 * Drizzle reads these types as PostgreSQL's text and converts them itself; its PGlite driver
 * asks for that with parser functions, which cannot cross threads, so they are fixed here.
 */
const PARSERS = {
  [types.TIMESTAMP]: keepText,
  [types.TIMESTAMPTZ]: keepText,
  [types.INTERVAL]: keepText,
  [types.DATE]: keepText,
  1231: keepText, // numeric[]
  1115: keepText, // timestamp[]
  1185: keepText, // timestamptz[]
  1187: keepText, // interval[]
  1182: keepText, // date[]
};

/** Rolls a transaction back: thrown inside PGlite's transaction callback. */
class Rollback extends Error {}

function threadError(error: unknown): ThreadError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error), fields: {} };
  const fields: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(error)) if (typeof value === "string" || typeof value === "number") fields[name] = value;
  return { name: error.name, message: error.message, fields };
}

interface OpenTransaction {
  tx: Transaction;
  end: (commit: boolean) => void;
  done: Promise<void>;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("pglite-worker runs as a worker thread");
  const options = workerData as ThreadOptions;
  let pg: PGlite;
  try {
    pg = await PGlite.create(options.dataDir, { extensions: { vector } });
    // PGlite never runs autovacuum, so tables have no statistics and the planner guesses their
    // sizes. With the default random_page_cost (4, priced for spinning disks) it then sorts all of
    // an organisation's rows to find the newest 50 instead of reading them in index order; its
    // pages are local and mostly in memory, which 1.1 (the usual SSD setting) reflects.
    await pg.exec("set random_page_cost = 1.1");
    await migrate(drizzle({ client: pg }), { migrationsFolder: options.migrationsFolder });
  } catch (error) {
    port.postMessage({ ready: false, error: threadError(error) } satisfies ThreadReady);
    return;
  }

  const open = new Map<number, OpenTransaction>();
  const begin = (id: number): Promise<number> =>
    new Promise((started, failed) => {
      let end: (commit: boolean) => void = () => undefined;
      const done = pg
        .transaction(
          (tx) =>
            new Promise<void>((commit, rollback) => {
              end = (ok) => (ok ? commit() : rollback(new Rollback()));
              open.set(id, { tx, end, done });
              started(id);
            }),
        )
        .catch((error: unknown) => {
          if (!(error instanceof Rollback)) throw error;
        })
        .finally(() => open.delete(id));
      done.catch(failed);
    });

  const run = async (request: ThreadRequest): Promise<unknown> => {
    switch (request.op) {
      case "query": {
        const target = request.tx === null ? pg : open.get(request.tx)?.tx;
        if (!target) throw new Error("the transaction has already ended");
        return target.query(request.sql, request.params, { rowMode: request.rowMode, parsers: PARSERS });
      }
      case "begin":
        return begin(request.id);
      case "end": {
        const transaction = open.get(request.tx);
        if (!transaction) throw new Error("the transaction has already ended");
        transaction.end(request.commit);
        return transaction.done;
      }
      case "close":
        return pg.close();
    }
  };

  port.on("message", (request: ThreadRequest) => {
    run(request).then(
      (value) => port.postMessage({ id: request.id, ok: true, value } satisfies ThreadReply),
      (error: unknown) => port.postMessage({ id: request.id, ok: false, error: threadError(error) } satisfies ThreadReply),
    );
  });
  port.postMessage({ ready: true } satisfies ThreadReady);
}

void main();
