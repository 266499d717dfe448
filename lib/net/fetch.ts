import type { IncomingMessage } from "node:http";
import { pipeline, Readable, Transform } from "node:stream";
import type { OutboundGuard } from "./guard";

/** Statuses whose Response must not have a body (the Response constructor throws otherwise). */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

export type GuardedFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface GuardedFetchOptions<E extends Error> {
  /** Each response body is cut off past this size, with the guard's error. */
  maxResponseBytes: number;
  /** Hears of capped bodies: a streaming (SSE) reader may otherwise only log the error. */
  onOversized: (error: E) => void;
}

/**
 * A fetch that connects through `guard` and caps each response body. Global fetch cannot be used:
 * its DNS lookups cannot be guarded. Redirects are returned, not followed (the MCP SDK follows
 * same-origin ones through this fetch again).
 */
export function createGuardedFetch<E extends Error>(guard: OutboundGuard<E>, options: GuardedFetchOptions<E>): GuardedFetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const outgoing = await guard.request(url, {
      method: request.method,
      headers: Object.fromEntries(request.headers),
      signal: request.signal,
    });
    return new Promise((resolve, reject) => {
      outgoing.on("error", reject);
      outgoing.on("response", (incoming) => {
        try {
          resolve(toResponse(incoming, request.method, `${request.method} ${url.origin}${url.pathname}`, guard, options));
        } catch (error) {
          incoming.destroy();
          reject(error);
        }
      });
      outgoing.end(body);
    });
  };
}

function toResponse<E extends Error>(
  incoming: IncomingMessage,
  method: string,
  target: string,
  guard: OutboundGuard<E>,
  options: GuardedFetchOptions<E>,
): Response {
  const status = incoming.statusCode ?? 0;
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    for (const item of [value ?? []].flat()) headers.append(name, item);
  }
  if (NULL_BODY_STATUSES.has(status) || method === "HEAD") {
    incoming.resume();
    return new Response(null, { status, statusText: incoming.statusMessage, headers });
  }
  return new Response(capped(incoming, target, guard, options), { status, statusText: incoming.statusMessage, headers });
}

function capped<E extends Error>(
  incoming: IncomingMessage,
  target: string,
  guard: OutboundGuard<E>,
  { maxResponseBytes, onOversized }: GuardedFetchOptions<E>,
): ReadableStream<Uint8Array> {
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size <= maxResponseBytes) return callback(null, chunk);
      const error = guard.error(`Response from ${target} exceeds ${maxResponseBytes} bytes`);
      onOversized(error);
      callback(error);
    },
  });
  // The error reaches the reader through the web stream; pipeline also closes the connection.
  pipeline(incoming, counter, () => undefined);
  return Readable.toWeb(counter) as ReadableStream<Uint8Array>;
}
