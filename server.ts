import { createServer, type IncomingMessage } from "node:http";
import next from "next";
import { config } from "@/lib/config";
import { flushExchanges } from "@/lib/conversations";
import { closeDb } from "@/lib/db";
import { CLIENT_IP_HEADER, RECEIVED_AT_HEADER } from "@/lib/http";
import { prepareConduit } from "@/lib/setup";

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

async function main(): Promise<void> {
  const dev = process.argv.includes("--dev");
  const env = config();
  const banner = await prepareConduit();

  const app = next({ dev, hostname: env.HOST, port: env.PORT });
  const handle = app.getRequestHandler();
  await app.prepare();

  const server = createServer({ maxHeaderSize: 16 * 1024 }, (request, response) => {
    request.headers[RECEIVED_AT_HEADER] = String(performance.now());
    request.headers[CLIENT_IP_HEADER] = clientIp(request, env.TRUST_PROXY_HOPS);
    void handle(request, response);
  });
  server.keepAliveTimeout = 65_000;

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[conduit] ${signal}: finishing in-flight requests`);
    const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    clearTimeout(force);
    await flushExchanges();
    await closeDb();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));

  server.listen(env.PORT, env.HOST, () => console.log(banner));
}

main().catch((error: unknown) => {
  console.error(`[conduit] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  if (error instanceof Error && error.stack && process.env.NODE_ENV !== "production") console.error(error.stack);
  process.exit(1);
});
