/**
 * The standalone job worker: `npm run worker`. Runs webhook deliveries (and other background
 * jobs) beside web servers started with WORKER_ENABLED=false, or as extra capacity.
 */
import { config } from "@/lib/config";
import { closeDb, getDb } from "@/lib/db";
import { startWorker } from "@/lib/jobs";
import { flushBatchedRecords, registerJobHandlers } from "@/lib/composition";

async function main(): Promise<void> {
  const env = config();
  // PGlite lives in one process: the server's in-process worker runs the jobs there.
  if (!env.DATABASE_URL) throw new Error("the standalone worker needs DATABASE_URL (with PGlite, the server runs jobs itself)");
  await getDb();
  registerJobHandlers();
  const worker = startWorker();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[worker] ${signal}: finishing running jobs`);
    await worker.stop();
    await flushBatchedRecords();
    await closeDb();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  console.log(`Conduit worker running (${worker.id}, concurrency ${env.WORKER_CONCURRENCY})`);
}

main().catch((error: unknown) => {
  console.error(`[worker] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
