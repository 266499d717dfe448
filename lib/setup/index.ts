import { existsSync, writeFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { and, eq, isNull, sql } from "drizzle-orm";
import { createAgent } from "@/lib/agents";
import { createAiProvider } from "@/lib/agents/providers";
import { createUserToken } from "@/lib/auth/user-tokens";
import { config } from "@/lib/config";
import { assertEncryptionReady } from "@/lib/crypto";
import { hashPassword } from "@/lib/crypto/passwords";
import { getDb, getDbKind, randomString, tables, UUID_PATTERN, type Db, type DbKind } from "@/lib/db";
import { createApiKey } from "@/lib/keys";
import { modelBackend } from "@/lib/llm";
import { createOwner } from "@/lib/orgs";
import { rateLimitBackend } from "@/lib/ratelimit";

/** What a new user needs to make a first call; written to DATA_DIR/demo.json (mode 0600). */
export interface DemoCredentials {
  url: string;
  orgId: string;
  agentId: string;
  agentPublicId: string;
  apiKey: string;
  /** The admin's personal access token (the task gateway's `Authorization: Bearer`). */
  userToken: string;
  admin: { email: string; password: string };
}

const SEED_LOCK_ID = 727_002;

export function demoFilePath(): string {
  return path.join(config().dataDir, "demo.json");
}

/** The provider the demo agent runs on: the built-in offline model, under a real `aip_…` id like any agent's. */
function createDemoProvider(db: Db, orgId: string) {
  return createAiProvider(db, { orgId, name: "Demo model (offline)", type: "demo" });
}

/** Seeds an organisation, admin, agent (with its demo provider) and key into an empty database, exactly once. */
async function seedDemo(): Promise<DemoCredentials | null> {
  const db = await getDb();
  // Checked first without the lock too: hashing the admin's password takes half a second, and
  // only a first start needs it.
  const [seeded] = await db.select({ id: tables.organisations.id }).from(tables.organisations).limit(1);
  if (seeded) return null;
  const password = randomString(20);
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    // Several instances may start together on one Postgres: only the first seeds.
    await tx.execute(sql`select pg_advisory_xact_lock(${SEED_LOCK_ID})`);
    const [existing] = await tx.select({ id: tables.organisations.id }).from(tables.organisations).limit(1);
    if (existing) return null;
    const { user: admin, org } = await createOwner(tx, {
      email: "admin@conduit.local",
      name: "Demo admin",
      passwordHash,
      organisation: "Demo organisation",
    });
    const provider = await createDemoProvider(tx, org.id);
    const agent = await createAgent(tx, {
      orgId: org.id,
      name: "Demo agent",
      instructions: "You are a concise, friendly assistant reached through Conduit.",
      aiProviderId: provider.id,
    });
    const { secret } = await createApiKey(tx, { orgId: org.id, name: "Demo key", createdByUserId: admin.id });
    const { secret: userToken } = await createUserToken(tx, { userId: admin.id, orgId: org.id, name: "Demo token" });
    return {
      url: config().publicUrl,
      orgId: org.id,
      agentId: agent.id,
      agentPublicId: agent.publicId,
      apiKey: secret,
      userToken,
      admin: { email: admin.email, password },
    };
  });
}

/**
 * Demo agents seeded by older versions have no provider and run on the deployment's model. While
 * that model is the offline demo model, linking them to a demo provider changes no answer, so it
 * is done at start (once: a linked agent is left alone). With a model configured it is not: the
 * demo agent would stop using it.
 */
async function linkDemoAgentToProvider(): Promise<void> {
  if (modelBackend() !== "demo" || !existsSync(demoFilePath())) return;
  let demo: Partial<DemoCredentials>;
  try {
    demo = JSON.parse(readFileSync(demoFilePath(), "utf8")) as Partial<DemoCredentials>;
  } catch {
    return; // An edited or damaged file names no agent; the demo itself still works.
  }
  const { agentId, orgId } = demo;
  if (typeof agentId !== "string" || !UUID_PATTERN.test(agentId) || typeof orgId !== "string" || !UUID_PATTERN.test(orgId)) return;
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SEED_LOCK_ID})`);
    const [agent] = await tx
      .select({ id: tables.agents.id })
      .from(tables.agents)
      .where(and(eq(tables.agents.id, agentId), eq(tables.agents.orgId, orgId), isNull(tables.agents.aiProviderId)));
    if (!agent) return;
    const provider = await createDemoProvider(tx, orgId);
    await tx.update(tables.agents).set({ aiProviderId: provider.id }).where(eq(tables.agents.id, agent.id));
  });
}

/** Which database, and through which driver: what an operator checks first when queries misbehave. */
function describeDatabase(kind: DbKind): string {
  const env = config();
  if (kind === "pglite") return `PGlite in ${env.dataDir}`;
  if (kind === "postgres") return "PostgreSQL (DATABASE_URL, pg driver)";
  const proxy = env.NEON_WS_PROXY ? `, through the WebSocket proxy at ${new URL(env.NEON_WS_PROXY).host}` : "";
  return `PostgreSQL (DATABASE_URL, Neon serverless driver${proxy})`;
}

function rateLimitsLabel(): string {
  if (rateLimitBackend() === "upstash") return "Upstash Redis";
  return config().WEB_CONCURRENCY > 1 ? "in-process (each web process counts its own)" : "in-process";
}

/**
 * The start-up banner. The first start, which just seeded the demo, shows a ready-to-paste call
 * with its key; later starts only point at the file, so logs collected from them hold no key.
 */
function banner(seeded: DemoCredentials | null, databaseKind: DbKind): string {
  const env = config();
  const lines = [
    `Conduit is running at ${env.publicUrl}`,
    `  database: ${describeDatabase(databaseKind)}`,
    `  rate limits: ${rateLimitsLabel()}`,
    `  model: ${modelBackend() === "demo" ? "built-in offline demo model (conduit-demo)" : "OpenAI-compatible endpoint"}`,
    ...(env.WEB_CONCURRENCY > 1 ? [`  web processes: ${env.WEB_CONCURRENCY} (WEB_CONCURRENCY)`] : []),
  ];
  if (seeded) {
    lines.push(
      "",
      `Demo credentials are in ${demoFilePath()}. Try:`,
      "",
      `curl -X POST "${env.publicUrl}/api/agents/${seeded.agentId}/chat" \\`,
      `  -H "Authorization: Bearer ${seeded.apiKey}" \\`,
      `  -H "Content-Type: application/json" \\`,
      `  -d '{"messages":[{"role":"user","content":"Hello"}],"stream":false}'`,
    );
  } else if (env.SEED_DEMO && existsSync(demoFilePath())) {
    lines.push("", `Demo credentials (API key, access token, admin password) are in ${demoFilePath()}.`);
  }
  return lines.join("\n");
}

export interface Prepared {
  banner: string;
  /** This start seeded the demo (its banner shows the first call, with the key). */
  seededDemo: boolean;
}

/**
 * Everything that must hold before the first request: valid configuration, an encryption key,
 * a migrated database and (on first start) the demo seed. Returns the start-up banner.
 */
export async function prepareConduit(): Promise<Prepared> {
  config();
  assertEncryptionReady();
  await getDb();
  const seeded = config().SEED_DEMO ? await seedDemo() : null;
  if (seeded) {
    mkdirSync(config().dataDir, { recursive: true });
    writeFileSync(demoFilePath(), JSON.stringify(seeded, null, 2) + "\n", { mode: 0o600 });
  } else if (config().SEED_DEMO) {
    await linkDemoAgentToProvider();
  }
  return { banner: banner(seeded, await getDbKind()), seededDemo: seeded !== null };
}
