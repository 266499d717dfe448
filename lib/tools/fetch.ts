import type { IncomingMessage } from "node:http";
import { pipeline, Readable, Transform } from "node:stream";
import { config } from "@/lib/config";
import { ToolError } from "./errors";
import { guardedRequest } from "./ssrf";

/** Statuses whose Response must not have a body (the Response constructor throws otherwise). */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

export type GuardedFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * A fetch for the MCP client transport that connects through the SSRF guard and caps each response
 * body at TOOL_MAX_RESPONSE_BYTES. Global fetch cannot be used: its DNS lookups cannot be guarded.
 * Redirects are returned, not followed (the MCP SDK follows same-origin ones through this fetch again).
 * `onOversized` hears of capped bodies: a streaming (SSE) reader may otherwise only log the error.
 */
export function createGuardedFetch(onOversized: (error: ToolError) => void): GuardedFetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const outgoing = await guardedRequest(url, {
      method: request.method,
      headers: Object.fromEntries(request.headers),
      signal: request.signal,
    });
    return new Promise((resolve, reject) => {
      outgoing.on("error", reject);
      outgoing.on("response", (incoming) => {
        try {
          resolve(toResponse(incoming, request.method, `${request.method} ${url.origin}${url.pathname}`, onOversized));
        } catch (error) {
          incoming.destroy();
          reject(error);
        }
      });
      outgoing.end(body);
    });
  };
}

function toResponse(incoming: IncomingMessage, method: string, target: string, onOversized: (error: ToolError) => void): Response {
  const status = incoming.statusCode ?? 0;
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    for (const item of [value ?? []].flat()) headers.append(name, item);
  }
  if (NULL_BODY_STATUSES.has(status) || method === "HEAD") {
    incoming.resume();
    return new Response(null, { status, statusText: incoming.statusMessage, headers });
  }
  return new Response(capped(incoming, target, onOversized), { status, statusText: incoming.statusMessage, headers });
}

function capped(incoming: IncomingMessage, target: string, onOversized: (error: ToolError) => void): ReadableStream<Uint8Array> {
  const maxBytes = config().TOOL_MAX_RESPONSE_BYTES;
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size <= maxBytes) return callback(null, chunk);
      const error = new ToolError(`Response from ${target} exceeds ${maxBytes} bytes`);
      onOversized(error);
      callback(error);
    },
  });
  // The error reaches the reader through the web stream; pipeline also closes the connection.
  pipeline(incoming, counter, () => undefined);
  return Readable.toWeb(counter) as ReadableStream<Uint8Array>;
}
