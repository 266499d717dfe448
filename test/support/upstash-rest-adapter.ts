/**
 * Loopback server speaking the Upstash Redis REST protocol, forwarding to a real Redis via ioredis,
 * so `@upstash/redis` and `@upstash/ratelimit` can be exercised against a real `redis-server`.
 *
 * Protocol as used by @upstash/redis@1.39 (pkg/http.ts, pkg/pipeline.ts):
 * - every request is `POST`, `Authorization: Bearer <token>`, JSON body;
 * - single command: `POST /` body `["SET","k","v"]` → `{"result": …}`;
 * - `POST /pipeline` and `POST /multi-exec`: body is an array of commands → `[{result}|{error}, …]`;
 * - `Upstash-Encoding: base64` (the client default) → every string in the result, nested ones
 *   included, is base64; the client special-cases a bare top-level "OK";
 * - errors → non-2xx with `{"error": "ERR …"}` (the client throws `body.error`);
 * - path form (`/set/k/v`) is only used by the client for SSE subscribe; plain commands in the path
 *   are supported here anyway, subscribe is not.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";

export interface UpstashRestAdapterOptions {
  /** Default `redis://127.0.0.1:6379`. */
  redisUrl?: string;
  /** Bearer token clients must send; default random. */
  token?: string;
}

export interface UpstashRestAdapter {
  /** e.g. `http://127.0.0.1:PORT`, pass as `url` to `new Redis({ url, token })`. */
  url: string;
  token: string;
  close(): Promise<void>;
  /** Redis commands executed so far (each pipeline/transaction entry counts). */
  commandCount(): number;
}

type Arg = string;
type Command = [string, ...Arg[]];

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// Commands that would break the shared connection's state (or need SSE, which we don't serve).
const REJECTED = new Set([
  "subscribe",
  "psubscribe",
  "ssubscribe",
  "unsubscribe",
  "punsubscribe",
  "sunsubscribe",
  "monitor",
  "multi",
  "exec",
  "discard",
  "watch",
  "unwatch",
  "select",
  "quit",
  "reset",
  "hello",
  "auth",
]);

// Shebang flags Redis 7 accepts; @upstash/ratelimit scripts carry `allow-key-locking`, which only
// Upstash understands and which redis-server rejects ("Unexpected flag in script shebang").
const REDIS_SCRIPT_FLAGS = new Set(["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"]);

function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

/** Drops shebang flags unknown to redis-server; returns the script unchanged if there are none. */
export function rewriteScriptForRedis(script: string): string {
  const match = /^#!lua([^\n]*)/.exec(script);
  if (!match) return script;
  const params = (match[1] ?? "").trim().split(/\s+/).filter(Boolean);
  let changed = false;
  const kept = params.flatMap((param) => {
    if (!param.startsWith("flags=")) return [param];
    const flags = param.slice("flags=".length).split(",").filter(Boolean);
    const known = flags.filter((f) => REDIS_SCRIPT_FLAGS.has(f));
    if (known.length !== flags.length) changed = true;
    return known.length > 0 ? [`flags=${known.join(",")}`] : [];
  });
  if (!changed) return script;
  return `#!lua${kept.length > 0 ? ` ${kept.join(" ")}` : ""}${script.slice(match[0].length)}`;
}

function isOk(value: Buffer): boolean {
  return value.length === 2 && value[0] === 0x4f && value[1] === 0x4b;
}

/** Converts an ioredis (Buffer) reply to Upstash JSON; `top` allows the bare "OK" the client expects. */
function encodeReply(value: unknown, base64: boolean, top = true): unknown {
  if (Buffer.isBuffer(value)) {
    if (!base64) return value.toString("utf8");
    return top && isOk(value) ? "OK" : value.toString("base64");
  }
  if (typeof value === "string") return encodeReply(Buffer.from(value, "utf8"), base64, top);
  if (typeof value === "number") return value;
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => encodeReply(v, base64, false));
  if (value instanceof Error) return value.message; // Error nested in an array reply (e.g. from Lua).
  return value;
}

function toArgs(value: unknown): Command {
  if (!Array.isArray(value) || value.length === 0) {
    throw new HttpError(400, "ERR command must be a non-empty JSON array");
  }
  const args = value.map((v): string => {
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    throw new HttpError(400, "ERR command arguments must be strings or numbers");
  });
  const [name, ...rest] = args;
  if (name === undefined) throw new HttpError(400, "ERR empty command");
  return [name, ...rest];
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(payload) });
  res.end(payload);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startUpstashRestAdapter(options: UpstashRestAdapterOptions = {}): Promise<UpstashRestAdapter> {
  const token = options.token ?? randomBytes(24).toString("hex");
  const redis = new Redis(options.redisUrl ?? "redis://127.0.0.1:6379", {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  await redis.connect(); // Fail fast if Redis is not reachable.

  let commands = 0;
  // Upstash-visible SHA of a script → SHA of the flag-stripped script actually loaded in Redis.
  const shaMap = new Map<string, string>();

  /**
   * Prepares one command for ioredis: rejects connection-state commands, rewrites scripts.
   * The name is upper-cased so ioredis applies no per-command transformers (e.g. hgetall → object).
   * Returns a post-processor for the reply (SCRIPT LOAD must answer with the original SHA).
   */
  function prepare(command: Command): { name: string; args: Arg[]; post?: (reply: unknown) => unknown } {
    const [rawName, ...args] = command;
    const lower = rawName.toLowerCase();
    const name = rawName.toUpperCase();
    if (REJECTED.has(lower)) throw new HttpError(400, `ERR command '${rawName}' is not supported by the REST adapter`);

    if ((lower === "eval" || lower === "eval_ro") && args[0] !== undefined) {
      const script = args[0];
      const rewritten = rewriteScriptForRedis(script);
      if (rewritten !== script) shaMap.set(sha1(script), sha1(rewritten));
      return { name, args: [rewritten, ...args.slice(1)] };
    }
    if ((lower === "evalsha" || lower === "evalsha_ro") && args[0] !== undefined) {
      return { name, args: [shaMap.get(args[0].toLowerCase()) ?? args[0], ...args.slice(1)] };
    }
    if (lower === "script" && args[0] !== undefined) {
      const sub = args[0].toLowerCase();
      if (sub === "load" && args[1] !== undefined) {
        const script = args[1];
        const rewritten = rewriteScriptForRedis(script);
        if (rewritten === script) return { name, args };
        const original = sha1(script);
        shaMap.set(original, sha1(rewritten));
        return { name, args: [args[0], rewritten], post: () => original };
      }
      if (sub === "exists") {
        return { name, args: [args[0], ...args.slice(1).map((s) => shaMap.get(s.toLowerCase()) ?? s)] };
      }
    }
    return { name, args };
  }

  async function runSingle(command: Command, base64: boolean): Promise<unknown> {
    const { name, args, post } = prepare(command);
    commands++;
    let reply: unknown;
    try {
      reply = await redis.callBuffer(name, ...args);
    } catch (error) {
      throw new HttpError(400, errorMessage(error));
    }
    return { result: encodeReply(post ? post(reply) : reply, base64) };
  }

  async function runBatch(body: unknown, base64: boolean, transaction: boolean): Promise<unknown[]> {
    if (!Array.isArray(body) || body.length === 0) {
      throw new HttpError(400, "ERR body must be a non-empty array of commands");
    }
    const prepared = body.map((c) => prepare(toArgs(c)));
    // ioredis writes MULTI…EXEC (or a pipeline) in one go, so sharing the connection is safe.
    const batch = transaction ? redis.multi() : redis.pipeline();
    for (const { name, args } of prepared) batch.callBuffer(name, ...args);
    commands += prepared.length;
    let results: [Error | null, unknown][] | null;
    try {
      results = await batch.exec();
    } catch (error) {
      throw new HttpError(400, errorMessage(error)); // e.g. EXECABORT for a malformed transaction.
    }
    if (results === null) throw new HttpError(400, "ERR transaction aborted");
    return results.map(([error, reply], i) => {
      if (error) return { error: error.message };
      const post = prepared[i]?.post;
      return { result: encodeReply(post ? post(reply) : reply, base64) };
    });
  }

  function authorized(req: IncomingMessage, url: URL): boolean {
    const header = req.headers.authorization;
    if (typeof header === "string" && header.startsWith("Bearer ")) return header.slice(7) === token;
    return url.searchParams.get("_token") === token; // Upstash also accepts the token as a query param.
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://adapter");
    const raw = await readBody(req);
    if (!authorized(req, url)) {
      sendJson(res, 401, { error: "Unauthorized" });
      return;
    }
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const parseJson = (): unknown => {
      try {
        return JSON.parse(raw);
      } catch {
        throw new HttpError(400, "ERR failed to parse JSON body");
      }
    };

    if (url.pathname === "/pipeline" || url.pathname === "/multi-exec") {
      if (req.method !== "POST") throw new HttpError(405, "ERR method not allowed");
      sendJson(res, 200, await runBatch(parseJson(), base64, url.pathname === "/multi-exec"));
      return;
    }
    if (url.pathname === "/" || url.pathname === "") {
      if (req.method !== "POST") throw new HttpError(405, "ERR method not allowed");
      sendJson(res, 200, await runSingle(toArgs(parseJson()), base64));
      return;
    }
    // Path form: /set/key/value; a POST body is appended as the last argument.
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (req.method === "POST" && raw.length > 0) parts.push(raw);
    sendJson(res, 200, await runSingle(toArgs(parts), base64));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (!res.headersSent) sendJson(res, status, { error: errorMessage(error) });
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    commandCount: () => commands,
    async close() {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
