/**
 * A real loopback HTTP server that receives webhooks, or stands in for a vendor's REST API:
 * records each request's method, path, raw body and headers, and answers as scripted (fail N
 * times, hang, 410, Retry-After, a body), by default 200 with `{}`.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { arrivals } from "./arrivals";

export interface ReceivedWebhook {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received, for signature checks. */
  rawBody: Buffer;
  receivedAt: number;
}

export interface Answer {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer; the socket stays open until the client gives up or the receiver closes. */
  hang?: boolean;
  /** The JSON body to answer with (default `{}`). */
  body?: unknown;
}

export interface WebhookReceiver {
  url: string;
  origin: string;
  received: ReceivedWebhook[];
  /** Queues answers for the next requests, in order; then `fallback` applies. */
  script(...answers: Answer[]): void;
  /** The answer once the script is used up (initially 200). */
  setFallback(answer: Answer): void;
  /** Resolves once at least `count` requests have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

async function readRaw(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * `port`: a fixed one, for a server started before the receiver that must be told its address; by
 * default any free port. `host: "localhost"` listens on every loopback address and names itself
 * `localhost`, for a server that allows private hosts by name only.
 */
export async function startWebhookReceiver(port = 0, options: { host?: "127.0.0.1" | "localhost" } = {}): Promise<WebhookReceiver> {
  const host = options.host ?? "127.0.0.1";
  const arrived = arrivals<ReceivedWebhook>("webhook request(s)");
  const queue: Answer[] = [];
  let fallback: Answer = {};

  const server = createServer(async (request, response) => {
    const rawBody = await readRaw(request);
    arrived.add({ method: request.method ?? "", path: request.url ?? "", headers: request.headers, rawBody, receivedAt: Date.now() });
    const answer = queue.shift() ?? fallback;
    if (answer.hang) return;
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    response.writeHead(answer.status ?? 200, { "content-type": "application/json", ...answer.headers });
    response.end(JSON.stringify(answer.body ?? {}));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // "::" accepts IPv4 too: localhost may resolve to either family first.
    server.listen(port, host === "localhost" ? "::" : host, resolve);
  });
  const { port: boundPort } = server.address() as AddressInfo;

  return {
    /** A path on the receiver; vendor stand-ins use `origin` as the API's base URL. */
    url: `http://${host}:${boundPort}/hook`,
    origin: `http://${host}:${boundPort}`,
    received: arrived.items,
    script: (...answers) => queue.push(...answers),
    setFallback: (answer) => (fallback = answer),
    waitFor: arrived.waitFor,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
