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
  /** Base URL printed in examples and demo.json; defaults to http://localhost:PORT. */
  PUBLIC_URL: optionalString.pipe(z.url().optional()),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must start with postgres:// or postgresql://")
      .optional(),
  ),
  DATA_DIR: optionalString,
  UPSTASH_REDIS_REST_URL: optionalString.pipe(z.url().optional()),
  UPSTASH_REDIS_REST_TOKEN: optionalString,
  OPENAI_BASE_URL: optionalString.pipe(z.url().optional()),
  OPENAI_API_KEY: optionalString,
  OPENAI_MODEL: z.string().default("gpt-4o-mini"),
  MODEL_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(1),
  CONDUIT_ENCRYPTION_KEY: optionalString,
  RUN_TIMEOUT_MS: positiveInt(300_000),
  RATE_LIMIT_PER_KEY_PER_MINUTE: positiveInt(120),
  RATE_LIMIT_FAILED_AUTH_PER_MINUTE: positiveInt(10),
  KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).default(30_000),
  /**
   * Hosts that HTTP and MCP tools may reach even though they resolve to private, loopback or
   * link-local addresses (comma-separated host names, IPs or CIDR ranges). Empty: public only.
   */
  TOOL_ALLOWED_PRIVATE_HOSTS: z
    .string()
    .default("")
    .transform((value) => value.split(",").map((entry) => entry.trim()).filter(Boolean)),
  TOOL_TIMEOUT_MS: positiveInt(15_000),
  TOOL_MAX_RESPONSE_BYTES: positiveInt(1024 * 1024),
  /** Seed a demo organisation, agent and key into an empty database. */
  SEED_DEMO: z.enum(["true", "false"]).default("true").transform((value) => value === "true"),
  /** How many reverse proxies in front of Conduit append to X-Forwarded-For. 0: use the socket address. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).default(0),
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
  const env = parsed.data;
  cached = {
    ...env,
    dataDir: path.resolve(/*turbopackIgnore: true*/ env.DATA_DIR ?? ".data"),
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ""),
  };
  return cached;
}
