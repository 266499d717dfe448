/**
 * The durable job queue and signed webhook deliveries, against real loopback receivers. In-process
 * workers run on both backends; the multi-process cases (two workers, kill -9) need Postgres.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb, tables, type Db, type Job, type WebhookDelivery } from "@/lib/db";
import {
  enqueueJob,
  enqueueJobOnce,
  nudgeWorkers,
  PermanentJobError,
  registerJobHandler,
  retryDelayMs,
  startWorker,
  type JobWorker,
} from "@/lib/jobs";
import { registerJobHandlers } from "@/lib/composition";
import { createOrganisation } from "@/lib/orgs";
import { getDeliveriesFor, queueWebhook, signBody } from "@/lib/webhooks";
import { createPostgresDatabase, testBackend } from "./support/app";
import { verifyAsDocumented } from "./support/documented-signature";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver";

// The queue tests' own job kinds, declared by augmenting the payload map.
declare module "@/lib/jobs/kinds" {
  interface JobPayloads {
    "test.count": { i: number };
    "test.fails": Record<string, never>;
    "test.permanent": Record<string, never>;
  }
}

const ROOT = path.resolve(__dirname, "..");
const onPostgres = testBackend() === "postgres";
const dataDir = mkdtempSync(path.join(tmpdir(), "conduit-jobs-"));
const SECRET = "whsec_0123456789abcdef";
/** Long on purpose: a job that arrives well within it proves enqueueing woke the worker. */
const POLL_MS = 1000;

// config() reads the environment once; nothing calls it before beforeAll sets these.
const env: Record<string, string> = {
  DATA_DIR: dataDir,
  TOOL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
  WORKER_POLL_MS: String(POLL_MS),
  WORKER_CONCURRENCY: "4",
  JOB_LEASE_MS: "1500",
  JOB_RETRY_BASE_MS: "50",
  WEBHOOK_MAX_ATTEMPTS: "3",
  WEBHOOK_TIMEOUT_MS: "5000",
};

let db: Db;
let orgId: string;
const receivers: WebhookReceiver[] = [];
const workers: JobWorker[] = [];

beforeAll(async () => {
  if (onPostgres) env.DATABASE_URL = await createPostgresDatabase();
  else delete process.env.DATABASE_URL;
  Object.assign(process.env, env);
  db = await getDb();
  registerJobHandlers();
  orgId = (await createOrganisation(db, { name: "Webhook receivers" })).id;
});

afterAll(async () => {
  await closeDb();
  rmSync(dataDir, { recursive: true, force: true });
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  await Promise.all(receivers.splice(0).map((open) => open.close()));
});

/** A receiver closed after the test. */
async function newReceiver(): Promise<WebhookReceiver> {
  const receiver = await startWebhookReceiver();
  receivers.push(receiver);
  return receiver;
}

function runWorker(): JobWorker {
  const worker = startWorker();
  workers.push(worker);
  return worker;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out; last value: ${JSON.stringify(value)}`);
    await sleep(25);
  }
}

async function deliveryRow(id: string): Promise<WebhookDelivery> {
  const [row] = await db.select().from(tables.webhookDeliveries).where(eq(tables.webhookDeliveries.id, id));
  if (!row) throw new Error(`no delivery ${id}`);
  return row;
}

const settled = (id: string) =>
  waitUntil(
    () => deliveryRow(id),
    (row) => row.status !== "pending",
  );

async function jobFor(deliveryId: string): Promise<Job> {
  const all = await db.select().from(tables.jobs).where(eq(tables.jobs.kind, "webhook.deliver"));
  const job = all.find((row) => row.payload.deliveryId === deliveryId);
  if (!job) throw new Error(`no job for delivery ${deliveryId}`);
  return job;
}

/**
 * The job once it has left `running`: a delivery is marked failed (in giveUp) just before its job
 * is, so a test that saw the delivery settle may still catch the job mid-way.
 */
async function settledJobFor(deliveryId: string): Promise<Job> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const job = await jobFor(deliveryId);
    if (job.status !== "running" || Date.now() > deadline) return job;
    await sleep(25);
  }
}

/** A signed delivery to the receiver, as the task gateway would queue it. */
async function queueSigned(
  receiver: WebhookReceiver,
  content: Record<string, unknown> = { status: "resolved" },
): Promise<{ id: string; body: string }> {
  const subjectId = randomUUID();
  const body = JSON.stringify({ conversation_id: subjectId, ...content, text: "Größe ✓ — naïve 🚀" });
  const headers = { "X-Signature": signBody(SECRET, body), "X-Conduit-Event": "task.updated" };
  return { id: await queueWebhook(db, { orgId, subjectId, url: receiver.url, body, headers }), body };
}

describe("webhook deliveries", () => {
  it("POSTs the exact stored body with the stored headers, promptly, and the documented check verifies X-Signature", async () => {
    const receiver = await newReceiver();
    runWorker();
    await sleep(100); // the worker has polled once and sleeps for POLL_MS
    const queuedAt = Date.now();
    const { id, body } = await queueSigned(receiver);
    const [request] = await receiver.waitFor(1);
    expect(Date.now() - queuedAt).toBeLessThan(POLL_MS / 2);

    expect(request?.rawBody.equals(Buffer.from(body, "utf8"))).toBe(true);
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["x-conduit-event"]).toBe("task.updated");
    expect(request?.headers["x-signature"]).toBe(signBody(SECRET, body));
    expect(() => verifyAsDocumented(SECRET, request?.rawBody ?? Buffer.alloc(0), request ?? { headers: {} })).not.toThrow();
    expect(() => verifyAsDocumented("another secret", request?.rawBody ?? Buffer.alloc(0), request ?? { headers: {} })).toThrow(
      "Invalid signature",
    );

    const row = await settled(id);
    expect(row.status).toBe("delivered");
    expect(row.deliveredAt).toBeInstanceOf(Date);
    expect(row.attempts).toEqual([{ at: expect.any(String), status: 200, error: null, duration_ms: expect.any(Number), response: "{}" }]);
    const [listed] = await getDeliveriesFor(db, row.subjectId);
    expect(listed?.id).toBe(id);
    expect((await settledJobFor(id)).status).toBe("done");
  });

  it("retries a failing receiver with backoff and sends identical bytes each time", async () => {
    const receiver = await newReceiver();
    receiver.script({ status: 500 }, { status: 500 });
    runWorker();
    const { id, body } = await queueSigned(receiver);
    const row = await settled(id);
    expect(row.status).toBe("delivered");
    expect(row.attempts.map((attempt) => attempt.status)).toEqual([500, 500, 200]);
    expect(receiver.received).toHaveLength(3);
    for (const request of receiver.received) {
      expect(request.rawBody.equals(Buffer.from(body, "utf8"))).toBe(true);
      expect(request.headers["x-signature"]).toBe(signBody(SECRET, body));
    }
    const job = await settledJobFor(id);
    expect(job).toMatchObject({ status: "done", attempts: 3 });
  });

  it("gives up after WEBHOOK_MAX_ATTEMPTS and marks the delivery failed", async () => {
    const receiver = await newReceiver();
    receiver.setFallback({ status: 502 });
    runWorker();
    const { id } = await queueSigned(receiver);
    const row = await settled(id);
    expect(row.status).toBe("failed");
    expect(row.deliveredAt).toBeNull();
    expect(row.attempts.map((attempt) => attempt.status)).toEqual([502, 502, 502]);
    expect(await settledJobFor(id)).toMatchObject({ status: "failed", attempts: 3, lastError: "Receiver answered 502" });
  });

  it("gives up at once on 410 Gone", async () => {
    const receiver = await newReceiver();
    receiver.setFallback({ status: 410 });
    runWorker();
    const { id } = await queueSigned(receiver);
    const row = await settled(id);
    expect(row.status).toBe("failed");
    expect(row.attempts.map((attempt) => attempt.status)).toEqual([410]);
    expect(await settledJobFor(id)).toMatchObject({ status: "failed", attempts: 1 });
    await sleep(300);
    expect(receiver.received).toHaveLength(1);
  });

  it("waits at least as long as Retry-After asks", async () => {
    const receiver = await newReceiver();
    receiver.script({ status: 503, headers: { "Retry-After": "1" } });
    runWorker();
    const { id } = await queueSigned(receiver);
    expect((await settled(id)).status).toBe("delivered");
    const [first, second] = receiver.received;
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it("records a connection failure as an attempt without a status", async () => {
    const closed = await startWebhookReceiver();
    await closed.close();
    const closedUrl = closed.url;
    runWorker();
    const id = await queueWebhook(db, { orgId, subjectId: randomUUID(), url: closedUrl, body: "{}", headers: {} });
    const row = await settled(id);
    expect(row.status).toBe("failed");
    expect(row.attempts).toHaveLength(3);
    expect(row.attempts[0]).toMatchObject({ status: null, error: expect.stringContaining("ECONNREFUSED") });
  });
});

describe("job queue", () => {
  const runs = new Map<string, number>();
  const giveUps: Array<{ id: string; attempts: number; lastError: string }> = [];
  let overlapped = false;
  const active = new Set<string>();

  beforeAll(() => {
    registerJobHandler("test.count", {
      async run(_payload, job) {
        if (active.has(job.id)) overlapped = true;
        active.add(job.id);
        runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
        await sleep(30);
        active.delete(job.id);
      },
    });
    const recordGiveUp = async (_payload: Record<string, unknown>, job: Job, lastError: string) => {
      giveUps.push({ id: job.id, attempts: job.attempts, lastError });
    };
    registerJobHandler("test.fails", {
      async run(_payload, job) {
        throw new Error(`boom ${job.attempts}`);
      },
      giveUp: recordGiveUp,
    });
    registerJobHandler("test.permanent", {
      async run() {
        throw new PermanentJobError("bad payload");
      },
      giveUp: recordGiveUp,
    });
  });

  const jobRow = async (id: string) => {
    const [row] = await db.select().from(tables.jobs).where(eq(tables.jobs.id, id));
    if (!row) throw new Error(`no job ${id}`);
    return row;
  };
  const finished = (id: string) =>
    waitUntil(
      () => jobRow(id),
      (row) => row.status === "done" || row.status === "failed",
    );

  it("deletes jobs finished more than JOB_RETENTION_DAYS ago when a worker starts, and nothing else", async () => {
    const days = (count: number) => new Date(Date.now() - count * 24 * 60 * 60_000);
    const row = (status: Job["status"], at: Date) => ({
      kind: "test.count",
      payload: { i: 0 },
      status,
      runAt: at,
      createdAt: at,
      updatedAt: at,
    });
    const inserted = await db
      .insert(tables.jobs)
      .values([row("done", days(8)), row("failed", days(30)), row("done", days(6)), row("failed", days(1)), row("queued", days(8))])
      .returning({ id: tables.jobs.id });
    const [oldDone, oldFailed, recentDone, recentFailed, oldQueued] = inserted.map((job) => job.id);
    runWorker();
    await waitUntil(
      () =>
        db
          .select({ id: tables.jobs.id })
          .from(tables.jobs)
          .where(inArray(tables.jobs.id, [oldDone!, oldFailed!])),
      (left) => left.length === 0,
    );
    // The old queued job is due, not finished: it runs rather than goes.
    expect(await finished(oldQueued!)).toMatchObject({ status: "done" });
    const kept = await db
      .select({ id: tables.jobs.id })
      .from(tables.jobs)
      .where(inArray(tables.jobs.id, [recentDone!, recentFailed!]));
    expect(kept).toHaveLength(2);
  });

  it("adds a job once while a copy of it waits to run, and again once that copy has run", async () => {
    const payload = { i: 9_001 };
    const copies = () =>
      db
        .select({ id: tables.jobs.id })
        .from(tables.jobs)
        .where(and(eq(tables.jobs.kind, "test.count"), sql`${tables.jobs.payload} = ${JSON.stringify(payload)}::jsonb`));
    await enqueueJobOnce(db, { kind: "test.count", payload });
    await enqueueJobOnce(db, { kind: "test.count", payload });
    await enqueueJobOnce(db, { kind: "test.count", payload: { i: 9_002 } });
    const [first, ...more] = await copies();
    expect(more).toEqual([]);
    runWorker();
    expect(await finished(first!.id)).toMatchObject({ status: "done" });
    await enqueueJobOnce(db, { kind: "test.count", payload });
    expect(await copies()).toHaveLength(2);
  });

  it("adds a job for later once, and brings a waiting copy forward when it is asked for sooner", async () => {
    const payload = { i: 9_005 };
    const waitingCopies = () =>
      db
        .select({ id: tables.jobs.id, runAt: tables.jobs.runAt })
        .from(tables.jobs)
        .where(and(eq(tables.jobs.kind, "test.count"), sql`${tables.jobs.payload} = ${JSON.stringify(payload)}::jsonb`));
    const inAnHour = new Date(Date.now() + 60 * 60_000);
    await enqueueJobOnce(db, { kind: "test.count", payload, runAt: inAnHour });
    await enqueueJobOnce(db, { kind: "test.count", payload, runAt: new Date(Date.now() + 2 * 60 * 60_000) });
    const [later, ...more] = await waitingCopies();
    expect(more).toEqual([]);
    expect(later!.runAt.getTime()).toBe(inAnHour.getTime());
    runWorker();
    await sleep(300);
    expect(await jobRow(later!.id)).toMatchObject({ status: "queued", attempts: 0 });
    // Asked for now: the same job runs now, and no second one is added.
    await enqueueJobOnce(db, { kind: "test.count", payload });
    expect(await finished(later!.id)).toMatchObject({ status: "done", attempts: 1 });
    expect(await waitingCopies()).toHaveLength(1);
  });

  it("runs a copy added while its twin runs only once the twin has ended", async () => {
    const payload = { i: 9_003 };
    const [twin] = await db
      .insert(tables.jobs)
      .values({ kind: "test.count", payload, status: "running", lockedUntil: new Date(Date.now() + 60_000), lockedBy: "another worker" })
      .returning({ id: tables.jobs.id });
    await enqueueJobOnce(db, { kind: "test.count", payload });
    const [copy] = await db
      .select({ id: tables.jobs.id })
      .from(tables.jobs)
      .where(
        and(
          eq(tables.jobs.kind, "test.count"),
          eq(tables.jobs.status, "queued"),
          sql`${tables.jobs.payload} = ${JSON.stringify(payload)}::jsonb`,
        ),
      );
    const other = await enqueueJob(db, { kind: "test.count", payload: { i: 9_004 } });
    runWorker();
    // The worker runs other work meanwhile, but not the copy.
    expect(await finished(other)).toMatchObject({ status: "done" });
    await sleep(300);
    expect(await jobRow(copy!.id)).toMatchObject({ status: "queued", attempts: 0 });
    await db.update(tables.jobs).set({ status: "done", lockedUntil: null }).where(eq(tables.jobs.id, twin!.id));
    nudgeWorkers();
    expect(await finished(copy!.id)).toMatchObject({ status: "done", attempts: 1 });
  });

  it("backs off exponentially with jitter, capped", () => {
    for (let i = 0; i < 20; i += 1) {
      expect(retryDelayMs(1, 1000)).toBeGreaterThanOrEqual(500);
      expect(retryDelayMs(1, 1000)).toBeLessThanOrEqual(1000);
      expect(retryDelayMs(4, 1000)).toBeGreaterThanOrEqual(4000);
      expect(retryDelayMs(4, 1000)).toBeLessThanOrEqual(8000);
      expect(retryDelayMs(40, 1000)).toBeLessThanOrEqual(3_600_000);
    }
  });

  it("fails a job after max_attempts and calls giveUp once with the last error", async () => {
    runWorker();
    const id = await enqueueJob(db, { kind: "test.fails", payload: {}, maxAttempts: 2 });
    expect(await finished(id)).toMatchObject({ status: "failed", attempts: 2, lastError: "boom 2" });
    expect(giveUps.filter((call) => call.id === id)).toEqual([{ id, attempts: 2, lastError: "boom 2" }]);
  });

  it("gives up at once on a PermanentJobError", async () => {
    runWorker();
    const id = await enqueueJob(db, { kind: "test.permanent", payload: {}, maxAttempts: 5 });
    expect(await finished(id)).toMatchObject({ status: "failed", attempts: 1, lastError: "bad payload" });
    expect(giveUps.filter((call) => call.id === id)).toEqual([{ id, attempts: 1, lastError: "bad payload" }]);
  });

  it("reclaims a job whose worker's lease lapsed, and abandons one that already used its last attempt", async () => {
    const lapsed = new Date(Date.now() - 1000);
    const crashed = { payload: {}, status: "running" as const, lockedUntil: lapsed, lockedBy: "dead-worker" };
    const [retried, exhausted] = await db
      .insert(tables.jobs)
      .values([
        { kind: "test.count", attempts: 1, maxAttempts: 3, ...crashed },
        { kind: "test.fails", attempts: 2, maxAttempts: 2, lastError: "boom 1", ...crashed },
      ])
      .returning();
    if (!retried || !exhausted) throw new Error("insert failed");
    runWorker();
    expect(await finished(retried.id)).toMatchObject({ status: "done", attempts: 2 });
    expect(runs.get(retried.id)).toBe(1);
    expect(await finished(exhausted.id)).toMatchObject({ status: "failed", attempts: 3 });
    expect(giveUps.filter((call) => call.id === exhausted.id)).toHaveLength(1);
  });

  it("two workers run each of 50 jobs exactly once, never concurrently", async () => {
    const [first, second] = [runWorker(), runWorker()];
    const ids = await db.transaction(async (tx) => {
      const created: string[] = [];
      for (let i = 0; i < 50; i += 1) created.push(await enqueueJob(tx, { kind: "test.count", payload: { i } }));
      return created;
    });
    // Wake both at once after the commit: otherwise whichever polls first may drain the queue alone.
    nudgeWorkers();
    const rows = await waitUntil(
      () => db.select().from(tables.jobs).where(inArray(tables.jobs.id, ids)),
      (all) => all.every((row) => row.status === "done"),
    );
    expect(ids.map((id) => runs.get(id))).toEqual(ids.map(() => 1));
    expect(overlapped).toBe(false);
    expect(new Set(rows.map((row) => row.lockedBy))).toEqual(new Set([first.id, second.id]));
  });
});

interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `worker.ts` as its own process, on this file's database, with a short poll and lease. */
async function spawnWorker(): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "worker.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production", ...env, WORKER_POLL_MS: "100" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await waitUntil(
    async () => log,
    (text) => {
      if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${text}`);
      return text.includes("Conduit worker running");
    },
    30_000,
  );
  return {
    child,
    output: () => log,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

// Child processes start slowly on a busy machine.
describe.runIf(onPostgres)("worker processes", { timeout: 60_000 }, () => {
  const processes: WorkerProcess[] = [];
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((worker) => worker.stop("SIGKILL")));
  });
  const spawned = async () => {
    const worker = await spawnWorker();
    processes.push(worker);
    return worker;
  };

  it("two worker processes deliver each of 50 webhooks exactly once, and stop cleanly on SIGTERM", async () => {
    const receiver = await newReceiver();
    receiver.setFallback({ delayMs: 100 });
    const [first, second] = await Promise.all([spawned(), spawned()]);
    const queued = await Promise.all(Array.from({ length: 50 }, (_, index) => queueSigned(receiver, { index })));
    const ids = queued.map(({ id }) => id);
    await waitUntil(
      () => db.select().from(tables.webhookDeliveries).where(inArray(tables.webhookDeliveries.id, ids)),
      (rows) => rows.every((row) => row.status === "delivered"),
      30_000,
    );
    const bodies = receiver.received.map((request) => request.rawBody.toString("utf8"));
    expect(bodies).toHaveLength(50);
    expect(new Set(bodies)).toEqual(new Set(queued.map(({ body }) => body)));
    const jobs = await Promise.all(ids.map(jobFor));
    expect(jobs.every((job) => job.status === "done" && job.attempts === 1)).toBe(true);
    expect(new Set(jobs.map((job) => job.lockedBy)).size).toBe(2);
    expect(await first.stop()).toBe(0);
    expect(await second.stop()).toBe(0);
  });

  it("finishes a delivery whose worker was killed mid-request, once the lease lapses, with identical bytes", async () => {
    const receiver = await newReceiver();
    receiver.script({ hang: true });
    const doomed = await spawned();
    const { id, body } = await queueSigned(receiver);
    await receiver.waitFor(1);
    await doomed.stop("SIGKILL");

    await spawned();
    const row = await settled(id);
    expect(row.status).toBe("delivered");
    expect(receiver.received).toHaveLength(2);
    for (const request of receiver.received) {
      expect(request.rawBody.equals(Buffer.from(body, "utf8"))).toBe(true);
      expect(request.headers["x-signature"]).toBe(signBody(SECRET, body));
    }
    // The killed worker never recorded its attempt; the job's claim count shows both.
    expect(row.attempts.map((attempt) => attempt.status)).toEqual([200]);
    expect(await settledJobFor(id)).toMatchObject({ status: "done", attempts: 2 });
  });
});
