import { availableParallelism } from "node:os";
import path from "node:path";
import { z } from "zod";

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const envSchema = z.object({
  PORT: positiveInt(3000),
  HOST: z.string().default("0.0.0.0"),
  /** Web processes `npm start` runs (node:cluster, sharing PORT); `auto`: one per CPU core. */
  WEB_CONCURRENCY: z
    .string()
    .trim()
    .default("1")
    .transform((value, context) => {
      if (value === "") return 1;
      if (value === "auto") return availableParallelism();
      const count = Number(value);
      if (Number.isInteger(count) && count > 0) return count;
      context.addIssue({ code: "custom", message: 'WEB_CONCURRENCY is a positive whole number or "auto" (one process per CPU core)' });
      return z.NEVER;
    }),
  /** Base URL printed in examples and demo.json; defaults to http://localhost:PORT. */
  PUBLIC_URL: optionalString.pipe(z.url().optional()),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must start with postgres:// or postgresql://")
      .optional(),
  ),
  /** Which driver opens DATABASE_URL; `auto` picks Neon's for *.neon.tech hosts or when NEON_WS_PROXY is set. */
  DATABASE_DRIVER: z.enum(["auto", "pg", "neon"]).default("auto"),
  /**
   * A WebSocket-to-Postgres proxy (ws:// or wss://, e.g. Neon's wsproxy) that Neon's driver goes
   * through to reach a Postgres that is not on Neon, such as a local one.
   */
  NEON_WS_PROXY: optionalString.pipe(z.url({ protocol: /^wss?$/, error: "NEON_WS_PROXY must be a ws:// or wss:// URL" }).optional()),
  DATA_DIR: optionalString,
  UPSTASH_REDIS_REST_URL: optionalString.pipe(z.url().optional()),
  UPSTASH_REDIS_REST_TOKEN: optionalString,
  OPENAI_BASE_URL: optionalString.pipe(z.url().optional()),
  OPENAI_API_KEY: optionalString,
  OPENAI_MODEL: z.string().default("gpt-4o-mini"),
  /** An embeddings model of OPENAI_BASE_URL for organisations whose AI providers name none; unset: none. */
  EMBEDDING_MODEL: optionalString,
  MODEL_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(1),
  CONDUIT_ENCRYPTION_KEY: optionalString,
  RUN_TIMEOUT_MS: positiveInt(300_000),
  RATE_LIMIT_PER_KEY_PER_MINUTE: positiveInt(120),
  RATE_LIMIT_FAILED_AUTH_PER_MINUTE: positiveInt(10),
  /** Sign-in attempts per email and client address per minute, before 429s. */
  SIGN_IN_ATTEMPTS_PER_MINUTE: positiveInt(10),
  /** Consecutive failed sign-ins that lock an account, and for how long. */
  SIGN_IN_LOCKOUT_FAILURES: positiveInt(10),
  SIGN_IN_LOCKOUT_MINUTES: positiveInt(15),
  /** Signs dashboard sessions; by default derived from CONDUIT_ENCRYPTION_KEY (or the embedded key). */
  AUTH_SECRET: optionalString,
  /** GitHub sign-in, on when both are set. */
  AUTH_GITHUB_ID: optionalString,
  AUTH_GITHUB_SECRET: optionalString,
  /** Any OpenID Connect provider, on when all three are set. */
  AUTH_OIDC_ISSUER: optionalString.pipe(z.url().optional()),
  AUTH_OIDC_ID: optionalString,
  AUTH_OIDC_SECRET: optionalString,
  KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).default(30_000),
  /**
   * Hosts that HTTP and MCP tools may reach even though they resolve to private, loopback or
   * link-local addresses (comma-separated host names, IPs or CIDR ranges). Empty: public only.
   */
  TOOL_ALLOWED_PRIVATE_HOSTS: z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((entry) => entry.trim())
        .filter(Boolean),
    ),
  TOOL_TIMEOUT_MS: positiveInt(15_000),
  TOOL_MAX_RESPONSE_BYTES: positiveInt(1024 * 1024),
  /** Shifts Conduit's clock (task expiry, budget periods); for testing and diagnosis only. */
  CLOCK_OFFSET_MS: z.coerce.number().int().default(0),
  /**
   * Model prices in micro-cents (1e-6 US cent) per token, as JSON:
   * {"gpt-4o":{"input":250,"output":1000}}; merged over the built-in table.
   */
  MODEL_PRICES: z
    .string()
    .default("{}")
    .transform((value, context) => {
      try {
        return z.record(z.string(), z.object({ input: z.number().min(0), output: z.number().min(0) })).parse(JSON.parse(value));
      } catch {
        context.addIssue({ code: "custom", message: 'MODEL_PRICES must be JSON like {"model":{"input":15,"output":60}}' });
        return z.NEVER;
      }
    }),
  /** Output tokens assumed when reserving budget before a call (its cost is settled afterwards). */
  BUDGET_RESERVE_OUTPUT_TOKENS: positiveInt(1024),
  /**
   * How long a reservation made ahead for a key's next model call may wait to be taken (ms); a key
   * far from its limit then reserves in the background instead of before each call. 0: every call
   * reserves on its request's path.
   */
  BUDGET_RESERVE_AHEAD_MS: z.coerce.number().int().min(0).default(10_000),
  TASK_MAX_ATTEMPTS: positiveInt(3),
  /** Largest knowledge document accepted, in bytes of its text (1 MB). */
  KNOWLEDGE_MAX_DOCUMENT_BYTES: positiveInt(1024 * 1024),
  /** Most pages of an uploaded PDF that are read; a longer PDF is refused (422). */
  KNOWLEDGE_MAX_PDF_PAGES: positiveInt(500),
  /**
   * Candidates an approximate vector search visits (pgvector's hnsw.ef_search, whose default this
   * is): more finds more of the exact nearest passages, slower.
   */
  KNOWLEDGE_VECTOR_EF_SEARCH: z.coerce.number().int().min(1).max(1000).default(40),
  /** After an embedding backfill has used its attempts (a provider out for longer), how long until it tries again. */
  KNOWLEDGE_BACKFILL_RETRY_MS: positiveInt(60 * 60_000),
  /** Seed a demo organisation, agent and key into an empty database. */
  SEED_DEMO: z
    .enum(["true", "false"])
    .default("true")
    .transform((value) => value === "true"),
  /** How many reverse proxies in front of Conduit append to X-Forwarded-For. 0: use the socket address. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).default(0),
  /** Run the background job worker inside the web server (off: run `npm run worker` separately). */
  WORKER_ENABLED: z
    .enum(["true", "false"])
    .default("true")
    .transform((value) => value === "true"),
  /**
   * Prints every database statement's SQL (never its parameters, which may hold secrets), one line
   * per round trip: for diagnosing what a request costs.
   */
  DB_LOG_STATEMENTS: z
    .enum(["true", "false"])
    .default("false")
    .transform((value) => value === "true"),
  /** Jobs one worker runs at once. They mostly wait (on the model, on webhook receivers), so many fit in one process. */
  WORKER_CONCURRENCY: positiveInt(32),
  WORKER_POLL_MS: positiveInt(250),
  /** How long a claimed job stays reserved for its worker; renewed while it runs, so only a dead worker's lapses. */
  JOB_LEASE_MS: positiveInt(60_000),
  /** First retry delay; doubles with each attempt (with jitter, capped at an hour). */
  JOB_RETRY_BASE_MS: positiveInt(1_000),
  /** Finished jobs (done or failed) are deleted this long after they finished. */
  JOB_RETENTION_DAYS: positiveInt(7),
  WEBHOOK_TIMEOUT_MS: positiveInt(10_000),
  /** How long an approval gate's signed approval token stays valid after the approval. */
  APPROVAL_TOKEN_TTL_SECONDS: positiveInt(900),
  WEBHOOK_MAX_ATTEMPTS: positiveInt(6),
  /**
   * Delays between attempts of an event delivery (each with ±10% jitter): the first attempt is
   * immediate, then one more per entry. Units ms, s, m, h.
   */
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .default("5s,5m,30m,2h,5h,10h,10h")
    .transform((value, context) => {
      const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
      const delays = value.split(",").map((entry) => {
        const match = /^(\d+)(ms|s|m|h)$/.exec(entry.trim());
        return match ? Number(match[1]) * (units[match[2] ?? ""] ?? NaN) : NaN;
      });
      if (delays.length > 0 && delays.every((delay) => Number.isFinite(delay))) return delays;
      context.addIssue({ code: "custom", message: "WEBHOOK_RETRY_SCHEDULE is a comma-separated list like 5s,5m,30m,2h" });
      return z.NEVER;
    }),
  /** An event endpoint is disabled after this many deliveries in a row used up every attempt. */
  WEBHOOK_DISABLE_AFTER_FAILURES: positiveInt(5),
  /** Settled event deliveries (and their attempt logs) older than this are deleted. */
  WEBHOOK_DELIVERY_RETENTION_DAYS: positiveInt(30),
  /** How long a process trusts its cached answer to "which endpoints want this organisation's events". */
  WEBHOOK_ENDPOINT_CACHE_TTL_MS: z.coerce.number().int().min(0).default(30_000),
  /** Images one organisation's gate agents may store (requests and events), in MB of image data. */
  GATE_IMAGE_STORAGE_MAX_MB: positiveInt(256),
  /** Meta's Graph API (WhatsApp Cloud API, Messenger) for channel replies, and the API version in its paths. */
  META_GRAPH_URL: z.url().default("https://graph.facebook.com"),
  META_GRAPH_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, "META_GRAPH_VERSION looks like v21.0")
    .default("v21.0"),
  /** Instagram's Graph API (Instagram API with Instagram Login) for Instagram replies. */
  INSTAGRAM_GRAPH_URL: z.url().default("https://graph.instagram.com"),
  /** Twilio's REST API for SMS and WhatsApp replies. */
  TWILIO_API_URL: z.url().default("https://api.twilio.com"),
  /** Where email replies are sent from: smtp(s)://user:password@host:port. Unset: email replies are recorded as not sent. */
  SMTP_URL: optionalString.pipe(z.url().optional()),
  /** Requests per minute from one address on each channel callback route. */
  CHANNEL_INGRESS_PER_IP_PER_MINUTE: positiveInt(600),
  /** Website widget: sessions started per address, and messages per visitor and per address, per minute. */
  WIDGET_SESSIONS_PER_IP_PER_MINUTE: positiveInt(30),
  WIDGET_MESSAGES_PER_VISITOR_PER_MINUTE: positiveInt(10),
  WIDGET_MESSAGES_PER_IP_PER_MINUTE: positiveInt(30),
  /** Automation webhook triggers: requests per minute from one address, and per trigger from everywhere. */
  AUTOMATION_TRIGGER_PER_IP_PER_MINUTE: positiveInt(600),
  AUTOMATION_TRIGGER_PER_MINUTE: positiveInt(120),
  /** An automation's http step: how long the target may take, and how large its answer may be. */
  AUTOMATION_HTTP_TIMEOUT_MS: positiveInt(10_000),
  AUTOMATION_HTTP_MAX_RESPONSE_BYTES: positiveInt(1024 * 1024),
  /** How long a channel's vendor API may take to accept a reply. */
  CHANNEL_SEND_TIMEOUT_MS: positiveInt(15_000),
});

export type Config = z.infer<typeof envSchema> & { dataDir: string; publicUrl: string };

let cached: Config | undefined;

/** Reads and validates the environment once; a bad value stops start-up with a readable message. */
export function config(): Config {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${problems.join("\n")}`);
  }
  if (parsed.data.UPSTASH_REDIS_REST_URL && !parsed.data.UPSTASH_REDIS_REST_TOKEN) {
    throw new Error("Invalid configuration:\n  UPSTASH_REDIS_REST_TOKEN is required with UPSTASH_REDIS_REST_URL");
  }
  if (parsed.data.WEB_CONCURRENCY > 1 && !parsed.data.DATABASE_URL) {
    throw new Error(
      `Invalid configuration:\n  WEB_CONCURRENCY: ${parsed.data.WEB_CONCURRENCY} processes need DATABASE_URL (PostgreSQL); ` +
        "the embedded database (PGlite) can only be opened by one process",
    );
  }
  const env = parsed.data;
  if (env.DATABASE_DRIVER !== "auto" && !env.DATABASE_URL) {
    throw new Error(`Invalid configuration:\n  DATABASE_DRIVER=${env.DATABASE_DRIVER} needs DATABASE_URL (without it Conduit uses PGlite)`);
  }
  if (env.NEON_WS_PROXY && env.DATABASE_DRIVER === "pg") {
    throw new Error("Invalid configuration:\n  NEON_WS_PROXY is for the neon driver; DATABASE_DRIVER=pg connects over plain TCP");
  }
  cached = {
    ...env,
    dataDir: path.resolve(/*turbopackIgnore: true*/ env.DATA_DIR ?? ".data"),
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ""),
  };
  return cached;
}
