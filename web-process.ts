/**
 * One web process: the HTTP server around Next.js, with the in-process job worker. `npm start`
 * (server.ts) runs it in its own process, or WEB_CONCURRENCY of them under a supervisor.
 */
import path from "node:path";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import next from "next";
import { config } from "@/lib/config";
import { closeDb, getDb } from "@/lib/db";
import { CLIENT_IP_HEADER, RECEIVED_AT_HEADER } from "@/lib/http";
import { startWorker } from "@/lib/jobs";
import { queueEmbeddingBackfills } from "@/lib/knowledge";
import { flushBatchedRecords, registerJobHandlers } from "@/lib/composition";
import { isSupervisedProcess, reportReady } from "@/lib/runtime/cluster";
import { describeFailure } from "@/lib/runtime/failure";
import { listenOn } from "@/lib/runtime/listen";
import { prepareConduit } from "@/lib/setup";
import { directApiRoutes, sendFetchResponse } from "@/lib/serving";
import { isDecodablePath, refuseUndecodablePath } from "@/lib/surfaces";

const SHUTDOWN_GRACE_MS = 10_000;

/**
 * The caller's address: the socket peer, or, behind TRUST_PROXY_HOPS trusted proxies, the
 * entry those proxies appended to X-Forwarded-For. Client-supplied values are never trusted.
 */
function clientIp(request: IncomingMessage, trustedHops: number): string {
  const socketIp = request.socket.remoteAddress ?? "unknown";
  let ip = socketIp;
  if (trustedHops > 0) {
    const forwarded = String(request.headers["x-forwarded-for"] ?? "")
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean);
    ip = forwarded[forwarded.length - trustedHops] ?? forwarded[0] ?? socketIp;
  }
  return ip.startsWith("::ffff:") ? ip.slice(7) : ip;
}

const MAX_HEADER_BYTES = 16 * 1024;
const CLIENT_ERROR_LINGER_MS = 5_000;

/**
 * Requests the HTTP parser rejects (oversized headers, garbage) get a JSON answer. The socket
 * is half-closed and drained rather than destroyed: destroying it with unread input would reset
 * the connection and the client would never see the status.
 */
const answeredSockets = new WeakSet<Duplex>();

function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // The parser reports the same error again for every further chunk; answer once.
  if (answeredSockets.has(socket)) return;
  answeredSockets.add(socket);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? ["431 Request Header Fields Too Large", "HEADERS_TOO_LARGE", `Request headers exceed ${MAX_HEADER_BYTES / 1024} KB`]
      : ["400 Bad Request", "BAD_REQUEST", "Malformed HTTP request"];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.resume();
  setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS).unref();
}

/**
 * Next.js answers a path it cannot percent-decode with a bare plain-text 500 before any route
 * runs; such paths are refused here instead, in the envelope of the API dialect owning the path.
 */
async function refusePath(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const headers = {
    [CLIENT_IP_HEADER]: String(request.headers[CLIENT_IP_HEADER]),
    [RECEIVED_AT_HEADER]: String(request.headers[RECEIVED_AT_HEADER]),
  };
  const answer = await refuseUndecodablePath(new Request(new URL(request.url ?? "/", "http://conduit.invalid"), { headers }));
  await sendFetchResponse(answer, response);
}

/** Until the database, worker and Next are ready, requests get a 503 the caller can retry. */
function answerStarting(response: ServerResponse): void {
  const body = JSON.stringify({ error: { code: "STARTING", message: "Conduit is starting; retry shortly" } });
  response.writeHead(503, { "Content-Type": "application/json", "Retry-After": "1", Connection: "close" });
  response.end(body);
}

/**
 * tsx turns on source-mapped stack traces, and Node then parses and keeps the map of every
 * Next.js chunk it loads (~200 MB). In production they stay off unless asked for with
 * NODE_OPTIONS=--enable-source-maps.
 */
function keepSourceMapsOnlyIfAsked(dev: boolean): void {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  if (!dev && !flags.includes("--enable-source-maps")) process.setSourceMapsEnabled(false);
}

async function main(): Promise<void> {
  const dev = process.argv.includes("--dev");
  keepSourceMapsOnlyIfAsked(dev);
  const env = config();
  let handle = (_request: IncomingMessage, response: ServerResponse): Promise<void> | void => answerStarting(response);

  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (request, response) => {
    request.headers[RECEIVED_AT_HEADER] = String(performance.now());
    request.headers[CLIENT_IP_HEADER] = clientIp(request, env.TRUST_PROXY_HOPS);
    // Answers to writes are small JSON or streams: gzip costs more CPU than the bytes it saves,
    // and it would hold a stream's chunks back. Reads (pages, lists, exports) stay compressed.
    if (request.method !== "GET" && request.method !== "HEAD") delete request.headers["accept-encoding"];
    if (!isDecodablePath((request.url ?? "/").split("?")[0]!)) void refusePath(request, response);
    else void handle(request, response);
  });
  server.keepAliveTimeout = 65_000;
  server.on("clientError", answerClientError);
  // The port is bound first: a second instance on a busy port must fail before it migrates a
  // database or starts a worker that would compete with the running one. Under the supervisor,
  // which checked the port already, a process joins the shared port only once it is ready, so
  // connections go to processes that can serve them (never to a replacement still starting).
  const supervised = isSupervisedProcess();
  if (!supervised) await listenOn(server, env.PORT, env.HOST);

  const { banner, seededDemo } = await prepareConduit();
  registerJobHandlers();
  const worker = env.WORKER_ENABLED ? startWorker() : undefined;
  // Passages stored before an embedding model was configured are embedded in the background;
  // finding them reads every passage, which need not hold up the start.
  queueEmbeddingBackfills(await getDb()).catch((error: unknown) =>
    console.error(`[knowledge] could not queue the embedding backfill: ${describeFailure(error)}`),
  );
  const app = next({ dev, hostname: env.HOST, port: env.PORT });
  const nextHandler = app.getRequestHandler();
  await app.prepare();
  // In development Next.js compiles and reloads the API routes too; in production they are served directly.
  const direct = dev
    ? undefined
    : directApiRoutes({ mountPath: "/api", directory: path.join(__dirname, "app", "api"), origin: `http://localhost:${env.PORT}` });
  handle = direct
    ? async (request, response) => {
        if (!(await direct.serve(request, response))) await nextHandler(request, response);
      }
    : nextHandler;
  if (supervised) await listenOn(server, env.PORT, env.HOST);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[conduit] ${signal}: finishing in-flight requests`);
    const workerStopped = worker?.stop();
    const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    clearTimeout(force);
    await flushBatchedRecords();
    await workerStopped;
    await closeDb();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));

  if (supervised) reportReady(banner, seededDemo);
  else console.log(banner);
}

main().catch((error: unknown) => {
  console.error(`[conduit] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  if (error instanceof Error && error.stack && process.env.NODE_ENV !== "production") console.error(error.stack);
  process.exit(1);
});
