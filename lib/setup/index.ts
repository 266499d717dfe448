import { existsSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { createAgent } from "@/lib/agents";
import { createUserToken } from "@/lib/auth/user-tokens";
import { config } from "@/lib/config";
import { assertEncryptionReady } from "@/lib/crypto";
import { getDb, randomString, tables } from "@/lib/db";
import { createApiKey } from "@/lib/keys";
import { modelBackend } from "@/lib/llm";
import { addMember, createOrganisation, createUser } from "@/lib/orgs";
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

/** Seeds an organisation, admin, agent and key into an empty database, exactly once. */
async function seedDemo(): Promise<DemoCredentials | null> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    // Several instances may start together on one Postgres: only the first seeds.
    await tx.execute(sql`select pg_advisory_xact_lock(${SEED_LOCK_ID})`);
    const [existing] = await tx.select({ id: tables.organisations.id }).from(tables.organisations).limit(1);
    if (existing) return null;
    const org = await createOrganisation(tx, { name: "Demo organisation" });
    const password = randomString(20);
    const admin = await createUser(tx, { email: "admin@conduit.local", name: "Demo admin", password });
    await addMember(tx, org.id, admin.id, "owner");
    const agent = await createAgent(tx, {
      orgId: org.id,
      name: "Demo agent",
      instructions: "You are a concise, friendly assistant reached through Conduit.",
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
 * The start-up banner. The first start, which just seeded the demo, shows a ready-to-paste call
 * with its key; later starts only point at the file, so logs collected from them hold no key.
 */
function banner(seeded: DemoCredentials | null): string {
  const env = config();
  const lines = [
    `Conduit is running at ${env.publicUrl}`,
    `  database: ${env.DATABASE_URL ? "PostgreSQL (DATABASE_URL)" : `PGlite in ${env.dataDir}`}`,
    `  rate limits: ${rateLimitBackend() === "upstash" ? "Upstash Redis" : "in-process"}`,
    `  model: ${modelBackend() === "demo" ? "built-in offline demo model (conduit-demo)" : "OpenAI-compatible endpoint"}`,
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

/**
 * Everything that must hold before the first request: valid configuration, an encryption key,
 * a migrated database and (on first start) the demo seed. Returns the start-up banner.
 */
export async function prepareConduit(): Promise<string> {
  config();
  assertEncryptionReady();
  await getDb();
  const seeded = config().SEED_DEMO ? await seedDemo() : null;
  if (seeded) {
    mkdirSync(config().dataDir, { recursive: true });
    writeFileSync(demoFilePath(), JSON.stringify(seeded, null, 2) + "\n", { mode: 0o600 });
  }
  return banner(seeded);
}
