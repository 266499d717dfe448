/**
 * Scripted OpenAI-compatible chat-completions and embeddings server over real HTTP.
 * Used as the model upstream in tests and, run standalone, in benchmarks:
 *   node --import tsx test/support/scripted-upstream.ts --port 0 [--host 127.0.0.1] [--no-record]
 * prints one line `{"baseUrl":"http://127.0.0.1:PORT/v1"}` and runs until SIGTERM/SIGINT.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface ScriptedToolCall {
  id: string;
  name: string;
  /** JSON-encoded arguments, passed through verbatim. */
  arguments: string;
}

export interface ScriptStep {
  content?: string;
  /** Stream pieces; default splits `content` into word-ish pieces keeping spaces. */
  chunks?: string[];
  /** Wait before sending headers. */
  delayMs?: number;
  /** Wait between stream chunks. */
  chunkDelayMs?: number;
  /** Respond with this HTTP error status. */
  status?: number;
  errorBody?: unknown;
  /** Reported usage; completion_tokens is capped at the request's max_tokens. */
  usage?: { prompt_tokens: number; completion_tokens: number };
  toolCalls?: ScriptedToolCall[];
  /** Accept the request and never answer until the client disconnects. */
  hang?: boolean;
  /** Stream this many content chunks, then drop the connection: a model failing mid-stream. */
  breakAfterChunks?: number;
  finishReason?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface ScriptedUpstream {
  /** e.g. `http://127.0.0.1:PORT/v1` */
  baseUrl: string;
  /** Appends steps to the FIFO queue; each chat-completions request consumes one. */
  script(...steps: ScriptStep[]): void;
  /** Every /v1/chat/completions call, in arrival order. */
  requests: RecordedRequest[];
  /** Clears the queue, the recorded requests and the abort counter. */
  reset(): void;
  /** Closes the server, destroying open (keep-alive or hanging) sockets. */
  close(): Promise<void>;
  /** Chat-completion requests whose client disconnected before the response finished. */
  abortedRequests(): number;
  /** Every /v1/embeddings call, in arrival order (recorded even with `record: false`: they are small). */
  embeddingRequests: RecordedRequest[];
  /** The next `count` embeddings calls answer 500. */
  failEmbeddings(count: number): void;
  /** Embeddings calls with an input longer than this answer 400, as a model refuses what exceeds its context; null: no limit. */
  limitEmbeddingInput(characters: number | null): void;
}

export interface ScriptedUpstreamOptions {
  port?: number;
  host?: string;
  /** Record request bodies in `requests` (default true); benchmarks can turn it off to bound memory. */
  record?: boolean;
}

export const DEFAULT_CONTENT = "Hello from the scripted upstream.";
export const DEFAULT_USAGE = { prompt_tokens: 12, completion_tokens: 6 } as const;
const DEFAULT_ERROR_BODY = { error: { message: "scripted error", type: "server_error" } };

/** Words that mean the same, so texts sharing no word can still embed close together. */
const SYNONYMS: Record<string, string> = {
  automobile: "car",
  automobiles: "car",
  cars: "car",
  vehicle: "car",
  vehicles: "car",
  motorcar: "car",
  repaired: "repair",
  repairs: "repair",
  fix: "repair",
  fixed: "repair",
  mend: "repair",
  mended: "repair",
  garage: "workshop",
  mechanic: "workshop",
  reimbursement: "refund",
  refunds: "refund",
  money: "refund",
  back: "refund",
  holiday: "vacation",
  holidays: "vacation",
  leave: "vacation",
};
const EMBEDDING_STOP_WORDS = new Set([
  "a",
  "an",
  "the",
  "is",
  "are",
  "of",
  "to",
  "in",
  "on",
  "my",
  "our",
  "your",
  "how",
  "do",
  "does",
  "i",
  "can",
  "what",
  "where",
  "and",
  "or",
  "for",
  "it",
  "be",
  "get",
  "at",
  "by",
  "with",
]);
export const SCRIPTED_EMBEDDING_DIMENSIONS = 256;

/**
 * A deterministic embedding: each word (after the synonym table) hashed to one of 256
 * dimensions, the counts normalised to unit length. Texts sharing words or synonyms land close.
 */
export function scriptedEmbedding(text: string): number[] {
  const vector = new Array<number>(SCRIPTED_EMBEDDING_DIMENSIONS).fill(0);
  for (const raw of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    if (EMBEDDING_STOP_WORDS.has(raw)) continue;
    const word = SYNONYMS[raw] ?? raw;
    let hash = 2166136261;
    for (const char of word) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
    vector[hash % SCRIPTED_EMBEDDING_DIMENSIONS]! += 1;
  }
  const length = Math.hypot(...vector) || 1;
  return vector.map((value) => value / length);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Splits text into pieces like "Hello ", "from ", "the" so concatenation is lossless. */
export function splitWords(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function optionalNumber(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw new Error(`${field} must be a number`);
  return value;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new Error(`${field} must be a string`);
  return value;
}

/** Validates steps arriving over HTTP (POST /__script). */
export function parseScriptSteps(value: unknown): ScriptStep[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, i): ScriptStep => {
    if (!isRecord(item)) throw new Error(`step ${i} must be an object`);
    const step: ScriptStep = {};
    const content = optionalString(item.content, "content");
    if (content !== undefined) step.content = content;
    if (item.chunks !== undefined) {
      if (!Array.isArray(item.chunks) || !item.chunks.every((c): c is string => typeof c === "string")) {
        throw new Error("chunks must be an array of strings");
      }
      step.chunks = item.chunks;
    }
    const delayMs = optionalNumber(item.delayMs, "delayMs");
    if (delayMs !== undefined) step.delayMs = delayMs;
    const chunkDelayMs = optionalNumber(item.chunkDelayMs, "chunkDelayMs");
    if (chunkDelayMs !== undefined) step.chunkDelayMs = chunkDelayMs;
    const status = optionalNumber(item.status, "status");
    if (status !== undefined) step.status = status;
    if (item.errorBody !== undefined) step.errorBody = item.errorBody;
    if (item.usage !== undefined) {
      const u = item.usage;
      if (!isRecord(u) || typeof u.prompt_tokens !== "number" || typeof u.completion_tokens !== "number") {
        throw new Error("usage must be { prompt_tokens: number, completion_tokens: number }");
      }
      step.usage = { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens };
    }
    if (item.toolCalls !== undefined) {
      if (!Array.isArray(item.toolCalls)) throw new Error("toolCalls must be an array");
      step.toolCalls = item.toolCalls.map((tc): ScriptedToolCall => {
        if (!isRecord(tc) || typeof tc.id !== "string" || typeof tc.name !== "string" || typeof tc.arguments !== "string") {
          throw new Error("toolCalls entries must be { id, name, arguments } strings");
        }
        return { id: tc.id, name: tc.name, arguments: tc.arguments };
      });
    }
    if (item.hang !== undefined) {
      if (typeof item.hang !== "boolean") throw new Error("hang must be a boolean");
      step.hang = item.hang;
    }
    const breakAfterChunks = optionalNumber(item.breakAfterChunks, "breakAfterChunks");
    if (breakAfterChunks !== undefined) step.breakAfterChunks = breakAfterChunks;
    const finishReason = optionalString(item.finishReason, "finishReason");
    if (finishReason !== undefined) step.finishReason = finishReason;
    return step;
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
  });
  res.end(payload);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Resolves after `ms`, or early once `signal` aborts (client went away). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

export async function startScriptedUpstream(options: ScriptedUpstreamOptions = {}): Promise<ScriptedUpstream> {
  const host = options.host ?? "127.0.0.1";
  const record = options.record ?? true;
  const queue: ScriptStep[] = [];
  const requests: RecordedRequest[] = [];
  let requestCount = 0;
  let aborted = 0;
  let completionSeq = 0;
  let closing = false;
  const embeddingRequests: RecordedRequest[] = [];
  let embeddingFailures = 0;
  let embeddingInputLimit: number | null = null;

  async function handleEmbeddings(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      sendJson(res, 400, { error: { message: "invalid JSON body", type: "invalid_request_error" } });
      return;
    }
    embeddingRequests.push({ method: "POST", path, headers: req.headers, body });
    if (embeddingFailures > 0) {
      embeddingFailures--;
      sendJson(res, 500, DEFAULT_ERROR_BODY);
      return;
    }
    const request = isRecord(body) ? body : {};
    const inputs = Array.isArray(request.input) ? request.input : [request.input];
    if (!inputs.every((input): input is string => typeof input === "string")) {
      sendJson(res, 400, { error: { message: "input must be a string or an array of strings", type: "invalid_request_error" } });
      return;
    }
    const limit = embeddingInputLimit;
    if (limit !== null && inputs.some((input) => input.length > limit)) {
      sendJson(res, 400, {
        error: { message: `an input exceeds this model's maximum context of ${limit} characters`, type: "invalid_request_error" },
      });
      return;
    }
    sendJson(res, 200, {
      object: "list",
      model: typeof request.model === "string" ? request.model : "scripted-embedding",
      data: inputs.map((input, index) => ({ object: "embedding", index, embedding: scriptedEmbedding(input) })),
      usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
    });
  }

  async function handleChatCompletion(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw.length > 0 ? JSON.parse(raw) : {};
    } catch {
      sendJson(res, 400, { error: { message: "invalid JSON body", type: "invalid_request_error" } });
      return;
    }
    requestCount++;
    if (record) requests.push({ method: req.method ?? "POST", path, headers: req.headers, body });

    // Count responses cut off by the client; our own shutdown is not a client abort.
    const disconnect = new AbortController();
    let droppedByScript = false;
    res.on("close", () => {
      if (!res.writableFinished) {
        if (!closing && !droppedByScript) aborted++;
        disconnect.abort();
      }
    });
    const signal = disconnect.signal;

    const step = queue.shift() ?? {};
    const request = isRecord(body) ? body : {};
    const model = typeof request.model === "string" ? request.model : "scripted-model";
    const stream = request.stream === true;
    const includeUsage = isRecord(request.stream_options) && request.stream_options.include_usage === true;

    if (step.hang) return; // Never answer; the close listener records the disconnect.

    await sleep(step.delayMs ?? 0, signal);
    if (signal.aborted) return;

    if (step.status !== undefined) {
      sendJson(res, step.status, step.errorBody ?? DEFAULT_ERROR_BODY);
      return;
    }

    const toolCalls = step.toolCalls ?? [];
    const content = step.content ?? (toolCalls.length > 0 ? null : DEFAULT_CONTENT);
    const finishReason = step.finishReason ?? (toolCalls.length > 0 ? "tool_calls" : "stop");
    const u = step.usage ?? DEFAULT_USAGE;
    // Like a real model, never more output than the request's max_tokens allows.
    const maxTokens = typeof request.max_tokens === "number" ? request.max_tokens : Infinity;
    const completionTokens = Math.min(u.completion_tokens, maxTokens);
    const usage = {
      prompt_tokens: u.prompt_tokens,
      completion_tokens: completionTokens,
      total_tokens: u.prompt_tokens + completionTokens,
    };
    const id = `chatcmpl-scripted-${++completionSeq}`;
    const created = Math.floor(Date.now() / 1000);

    if (!stream) {
      const message: Record<string, unknown> = { role: "assistant", content };
      if (toolCalls.length > 0) {
        message.tool_calls = toolCalls.map((tc) => ({
          id: tc.id,
          type: "function",
          function: { name: tc.name, arguments: tc.arguments },
        }));
      }
      sendJson(res, 200, {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message, finish_reason: finishReason, logprobs: null }],
        usage,
      });
      return;
    }

    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    const chunk = (choices: unknown[], extra?: Record<string, unknown>): string =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices, ...extra })}\n\n`;
    const delta = (d: Record<string, unknown>, finish: string | null = null): string =>
      chunk([{ index: 0, delta: d, finish_reason: finish, logprobs: null }]);

    const events: string[] = [delta({ role: "assistant", content: "" })];
    const pieces = step.chunks ?? (content === null ? [] : splitWords(content));
    for (const piece of pieces) events.push(delta({ content: piece }));
    toolCalls.forEach((tc, index) => {
      // Name/id first, then arguments, as OpenAI streams them.
      events.push(
        delta({
          tool_calls: [{ index, id: tc.id, type: "function", function: { name: tc.name, arguments: "" } }],
        }),
      );
      events.push(delta({ tool_calls: [{ index, function: { arguments: tc.arguments } }] }));
    });
    events.push(delta({}, finishReason));
    // OpenAI only sends the usage chunk when stream_options.include_usage is set.
    if (includeUsage) events.push(chunk([], { usage }));
    events.push("data: [DONE]\n\n");

    if (step.breakAfterChunks !== undefined) {
      // The role chunk and the first pieces arrive; then the connection is reset, no finish, no [DONE].
      res.write(events.slice(0, 1 + step.breakAfterChunks).join(""));
      await sleep(100, signal);
      droppedByScript = true;
      res.destroy();
      return;
    }
    const chunkDelay = step.chunkDelayMs ?? 0;
    if (chunkDelay <= 0) {
      res.end(events.join(""));
      return;
    }
    for (let i = 0; i < events.length; i++) {
      if (signal.aborted) return;
      if (i > 0) await sleep(chunkDelay, signal);
      if (signal.aborted) return;
      res.write(events[i]);
    }
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const method = req.method ?? "GET";

    if (path === "/v1/chat/completions") {
      if (method !== "POST") {
        sendJson(res, 405, { error: { message: "method not allowed", type: "invalid_request_error" } });
        return;
      }
      await handleChatCompletion(req, res, path);
      return;
    }
    if (path === "/v1/embeddings" && method === "POST") {
      await handleEmbeddings(req, res, path);
      return;
    }
    if (path === "/__script" && method === "POST") {
      let steps: ScriptStep[];
      try {
        steps = parseScriptSteps(JSON.parse(await readBody(req)));
      } catch (error) {
        sendJson(res, 400, { error: { message: error instanceof Error ? error.message : String(error) } });
        return;
      }
      queue.push(...steps);
      sendJson(res, 200, { queued: queue.length });
      return;
    }
    if (path === "/__reset" && method === "POST") {
      await readBody(req);
      upstream.reset();
      sendJson(res, 200, { ok: true });
      return;
    }
    if (path === "/__requests" && method === "GET") {
      sendJson(res, 200, requests);
      return;
    }
    if (path === "/__stats" && method === "GET") {
      sendJson(res, 200, { requests: requestCount, aborted });
      return;
    }
    sendJson(res, 404, { error: { message: `not found: ${method} ${path}`, type: "not_found" } });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        sendJson(res, 500, { error: { message: error instanceof Error ? error.message : String(error) } });
      } else {
        res.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  const upstream: ScriptedUpstream = {
    baseUrl: `http://${urlHost}:${port}/v1`,
    script(...steps) {
      queue.push(...steps);
    },
    requests,
    reset() {
      queue.length = 0;
      // Mutate in place so callers holding `upstream.requests` see the reset.
      requests.length = 0;
      requestCount = 0;
      aborted = 0;
      embeddingRequests.length = 0;
      embeddingFailures = 0;
      embeddingInputLimit = null;
    },
    close() {
      closing = true;
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
    abortedRequests: () => aborted,
    embeddingRequests,
    failEmbeddings(count) {
      embeddingFailures = count;
    },
    limitEmbeddingInput(characters) {
      embeddingInputLimit = characters;
    },
  };
  return upstream;
}

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i !== -1) return args[i + 1];
  const prefixed = args.find((a) => a.startsWith(`${name}=`));
  return prefixed?.slice(name.length + 1);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const portArg = argValue(args, "--port");
  const upstream = await startScriptedUpstream({
    port: portArg === undefined ? 0 : Number(portArg),
    host: argValue(args, "--host") ?? "127.0.0.1",
    record: !args.includes("--no-record"),
  });
  process.stdout.write(`${JSON.stringify({ baseUrl: upstream.baseUrl })}\n`);
  const shutdown = (): void => {
    upstream.close().finally(() => process.exit(0));
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

// No top-level await: tsx may load this file as CommonJS (the package has no "type": "module").
if (isMainModule()) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
