import { validateHeaderName, validateHeaderValue, type IncomingMessage } from "node:http";
import { config } from "@/lib/config";
import type { HttpToolConfig, HttpToolMethod } from "@/lib/contracts/tool-configs";
import { ToolError } from "./errors";
import { guardedRequest } from "./guard";

export type { HttpToolConfig, HttpToolMethod };

export interface HttpToolCall {
  config: HttpToolConfig;
  args: Record<string, unknown>;
  /** The generation's tool_context, sent as request headers. */
  context?: Record<string, string> | null;
  signal?: AbortSignal;
}

export interface HttpToolResult {
  status: number;
  body: unknown;
}

interface OutgoingRequest {
  method: HttpToolMethod;
  headers: Record<string, string>;
  body?: string;
}

/** `{{param}}` or `{param}`; a JSON-looking query such as `{"a":1}` does not match. */
const PLACEHOLDER = /\{\{\s*([\w.-]+)\s*\}\}|\{([\w.-]+)\}/g;
/** Scheme and authority: placeholders are only filled after them, so arguments cannot pick the host. */
const AUTHORITY = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i;
/** Framing and routing headers a caller's tool_context must not set. */
const RESERVED_CONTEXT_HEADERS = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "expect",
]);

/**
 * Calls an HTTP tool: fills URL placeholders, sends the other arguments as query (GET, DELETE) or
 * JSON body (POST, PUT, PATCH). Any status, redirects included, is a result the model sees.
 */
export async function executeHttpTool({ config: tool, args, context, signal }: HttpToolCall): Promise<HttpToolResult> {
  const method = tool.method ?? "POST";
  const { url, rest } = fillUrl(tool.url, args);
  const sendsBody = method === "POST" || method === "PUT" || method === "PATCH";
  if (!sendsBody) appendQuery(url, rest);
  const request: OutgoingRequest = {
    method,
    headers: buildHeaders(tool.headers ?? {}, context ?? {}, sendsBody),
    body: sendsBody ? JSON.stringify(rest) : undefined,
  };
  const target = `${method} ${url.origin}${url.pathname}`;
  try {
    return await withDeadline(target, signal, (deadline) => send(url, request, deadline, target));
  } catch (error) {
    if (error instanceof ToolError) throw error;
    throw new ToolError(`${target} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function fillUrl(template: string, args: Record<string, unknown>): { url: URL; rest: Record<string, unknown> } {
  const authority = AUTHORITY.exec(template)?.[0] ?? "";
  const used = new Set<string>();
  const path = template.slice(authority.length).replace(PLACEHOLDER, (_match, double?: string, single?: string) => {
    const name = double ?? single ?? "";
    used.add(name);
    return encodeURIComponent(placeholderValue(name, Object.hasOwn(args, name) ? args[name] : undefined));
  });
  let url: URL;
  try {
    url = new URL(authority + path);
  } catch (error) {
    // Not echoing the URL: configured URLs may carry credentials.
    throw new ToolError("The tool's URL is not a valid URL", { cause: error });
  }
  const rest = Object.fromEntries(Object.entries(args).filter(([name]) => !used.has(name)));
  return { url, rest };
}

function placeholderValue(name: string, value: unknown): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === undefined || value === null) throw new ToolError(`Missing argument "${name}" (used in the tool URL)`);
  throw new ToolError(`Argument "${name}" must be a string, number or boolean (used in the tool URL)`);
}

/** Arrays become repeated parameters, objects JSON; null and undefined are left out. */
function appendQuery(url: URL, args: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(args)) {
    const items: unknown[] = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (item === undefined || item === null) continue;
      url.searchParams.append(name, typeof item === "object" ? JSON.stringify(item) : String(item));
    }
  }
}

/** Defaults, then tool_context, then configured headers: a caller cannot replace the tool's credentials. */
function buildHeaders(configured: Record<string, string>, context: Record<string, string>, sendsBody: boolean): Record<string, string> {
  const headers = new Map<string, [string, string]>();
  const set = (name: string, value: string) => headers.set(name.toLowerCase(), [name, value]);
  set("accept", "application/json, text/*;q=0.9, */*;q=0.8");
  if (sendsBody) set("content-type", "application/json");
  for (const [name, value] of Object.entries(context)) {
    if (!isValidHeader(name, value) || RESERVED_CONTEXT_HEADERS.has(name.toLowerCase())) {
      throw new ToolError(`tool_context entry "${name}" cannot be sent as an HTTP header`);
    }
    set(name, value);
  }
  for (const [name, value] of Object.entries(configured)) {
    if (!isValidHeader(name, value)) throw new ToolError(`The tool's header "${name}" is not a valid HTTP header`);
    set(name, value);
  }
  return Object.fromEntries(headers.values());
}

function isValidHeader(name: string, value: string): boolean {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}

/** Runs `task` with a signal that fires on the caller's abort or after TOOL_TIMEOUT_MS, rejecting with a ToolError that says which. */
async function withDeadline<T>(target: string, outer: AbortSignal | undefined, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const timeoutMs = config().TOOL_TIMEOUT_MS;
  const controller = new AbortController();
  const onAbort = () => controller.abort(new ToolError(`${target} was aborted`, { cause: outer?.reason }));
  if (outer?.aborted) onAbort();
  controller.signal.throwIfAborted();
  outer?.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new ToolError(`${target} timed out after ${timeoutMs} ms`)), timeoutMs);
  const aborted = new Promise<never>((_resolve, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  try {
    return await Promise.race([aborted, task(controller.signal)]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onAbort);
  }
}

async function send(url: URL, outgoing: OutgoingRequest, signal: AbortSignal, target: string): Promise<HttpToolResult> {
  const request = await guardedRequest(url, { method: outgoing.method, headers: outgoing.headers, signal });
  const maxBytes = config().TOOL_MAX_RESPONSE_BYTES;
  return new Promise((resolve, reject) => {
    request.on("error", reject);
    request.on("response", (response) => {
      readCapped(response, maxBytes, target).then(
        (buffer) => resolve({ status: response.statusCode ?? 0, body: parseBody(buffer, response.headers["content-type"]) }),
        reject,
      );
    });
    request.end(outgoing.body);
  });
}

function readCapped(response: IncomingMessage, maxBytes: number, target: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => {
      response.destroy();
      reject(new ToolError(`Response from ${target} exceeds ${maxBytes} bytes`));
    };
    if (Number(response.headers["content-length"]) > maxBytes) return tooLarge();
    response.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge();
      else chunks.push(chunk);
    });
    response.on("end", () => resolve(Buffer.concat(chunks)));
    response.on("error", reject);
    response.on("close", () => {
      if (!response.complete) reject(new ToolError(`${target}: the connection closed before the response ended`));
    });
  });
}

/** JSON media types (application/json, application/problem+json, …) are parsed; anything else is text. */
function parseBody(buffer: Buffer, contentType: string | undefined): unknown {
  const text = buffer.toString("utf8");
  const mediaType = (contentType ?? "").split(";")[0]?.trim() ?? "";
  if (!/[/+]json$/i.test(mediaType)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
