/** Organisations, agents and keys for tests, created with Conduit's own lib/ functions. */
import { eq } from "drizzle-orm";
import { createAgent } from "@/lib/agents";
import { tables, type Agent, type Db, type Organisation } from "@/lib/db";
import { createApiKey, revokeApiKey, type CreateApiKeyInput } from "@/lib/keys";
import { createOrganisation } from "@/lib/orgs";

export interface Tenant {
  org: Organisation;
  agent: Agent;
  /** A key with the deployment's default limits. */
  key: string;
  keyId: string;
}

export async function createTenant(
  db: Db,
  name: string,
  options: { apiChannelEnabled?: boolean; agent?: Partial<Parameters<typeof createAgent>[1]> } = {},
): Promise<Tenant> {
  const org = await createOrganisation(db, { name, apiChannelEnabled: options.apiChannelEnabled });
  const agent = await createAgent(db, { orgId: org.id, name: `${name} agent`, ...options.agent });
  const { secret, record } = await createApiKey(db, { orgId: org.id, name: `${name} key` });
  return { org, agent, key: secret, keyId: record.id };
}

export async function createKey(db: Db, input: CreateApiKeyInput): Promise<{ secret: string; id: string }> {
  const { secret, record } = await createApiKey(db, input);
  return { secret, id: record.id };
}

/** A key with a budget: its secret, its row id and the public id the key APIs know it by. */
export async function createBudgetedKey(
  db: Db,
  input: CreateApiKeyInput & { budgetUsdCents: number; budgetPeriod: "total" | "monthly" },
): Promise<{ secret: string; id: string; publicId: string }> {
  const { budgetUsdCents, budgetPeriod, ...key } = input;
  const { secret, record } = await createApiKey(db, key);
  await db.update(tables.apiKeys).set({ budgetUsdCents, budgetPeriod }).where(eq(tables.apiKeys.id, record.id));
  return { secret, id: record.id, publicId: record.publicId };
}

export async function createRevokedKey(db: Db, orgId: string): Promise<string> {
  const { secret, record } = await createApiKey(db, { orgId, name: "revoked" });
  await revokeApiKey(db, orgId, record.id);
  return secret;
}

/** A user with a membership (an admin unless `role` says otherwise) and a personal access token in an organisation. */
export async function createMember(
  db: Db,
  orgId: string,
  email: string,
  role: "owner" | "admin" | "member" | "reviewer" = "admin",
): Promise<{ userId: string; token: string }> {
  const { createUser, addMember } = await import("@/lib/orgs");
  const { createUserToken } = await import("@/lib/auth/user-tokens");
  const user = await createUser(db, { email, name: email, passwordHash: "not-a-password-hash" });
  await addMember(db, orgId, user.id, role);
  const { secret } = await createUserToken(db, { userId: user.id, orgId, name: "test token" });
  return { userId: user.id, token: secret };
}
