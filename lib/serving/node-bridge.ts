import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { Readable } from "node:stream";

/** Bodies up to this size (by Content-Length) are read whole before the handler runs; larger or unsized ones stream. */
const BUFFERED_BODY_BYTES = 1024 * 1024;

async function readWhole(request: IncomingMessage): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  // A fresh buffer (never a SharedArrayBuffer), whatever its declared type says.
  return Buffer.concat(chunks) as Uint8Array<ArrayBuffer>;
}

function bodyOf(request: IncomingMessage): Promise<BodyInit | null> | BodyInit | null {
  if (request.method === "GET" || request.method === "HEAD") return null;
  const length = Number(request.headers["content-length"]);
  if (Number.isInteger(length) && length <= BUFFERED_BODY_BYTES) return length === 0 ? null : readWhole(request);
  return Readable.toWeb(request) as ReadableStream<Uint8Array>;
}

/**
 * A Fetch API Request for a Node request, at `origin` (as Next.js does, the server's own address:
 * the Host header is the caller's to choose). Its signal aborts when the client goes away first.
 */
export async function toFetchRequest(request: IncomingMessage, response: ServerResponse, origin: string): Promise<Request> {
  // `request.headers` as Next.js reads it too, after web-process.ts set the client address and arrival time.
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (Array.isArray(value)) for (const each of value) headers.append(name, each);
    else if (value !== undefined) headers.set(name, value);
  }
  const aborted = new AbortController();
  response.once("close", () => {
    if (!response.writableFinished) aborted.abort();
  });
  // A body the handler left unread (refused by its size or before it was needed) is read and
  // dropped once the answer is out, as Node does for requests nobody consumed: otherwise the
  // client's upload stalls and the kept-alive connection never takes its next request.
  response.once("finish", () => {
    if (request.complete) return;
    request.removeAllListeners("data");
    request.resume();
  });
  const body = await bodyOf(request);
  return new Request(new URL(request.url ?? "/", origin), {
    method: request.method,
    headers,
    body,
    signal: aborted.signal,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  });
}

/** Resolves when the response can take more data, or is gone. */
function writable(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off("drain", done);
      response.off("close", done);
      resolve();
    };
    response.on("drain", done);
    response.on("close", done);
  });
}

/** Writes a Fetch API Response to a Node response: each body chunk as it comes, at the client's pace. */
export async function sendFetchResponse(answer: Response, response: ServerResponse): Promise<void> {
  const headers: OutgoingHttpHeaders = {};
  answer.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = answer.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  if (!answer.body) {
    response.writeHead(answer.status, headers).end();
    return;
  }
  // A JSON answer is one document, never a stream: sent whole with its length, it leaves in one
  // write with the headers instead of as chunks.
  if (headers["content-type"]?.toString().startsWith("application/json")) {
    const body = Buffer.from(await answer.arrayBuffer());
    response.writeHead(answer.status, { ...headers, "content-length": body.byteLength }).end(body);
    return;
  }
  response.writeHead(answer.status, headers);
  const reader = answer.body.getReader();
  const stop = () => void reader.cancel().catch(() => undefined);
  response.once("close", stop);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || response.destroyed) break;
      if (!response.write(value)) await writable(response);
    }
  } finally {
    response.off("close", stop);
    if (!response.destroyed) response.end();
    else stop();
  }
}
