/**
 * Signed approval tokens against a real database (a fresh Postgres database in the postgres
 * project, where the 50 concurrent validations race on separate connections; PGlite otherwise).
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "@/lib/crypto";
import { openDatabase, tables, type Db, type DbHandle } from "@/lib/db";
import { approvalTokenFor, issueApprovalToken, validateApprovalToken } from "@/lib/gate/tokens";
import { createOrganisation } from "@/lib/orgs";
import { createPostgresDatabase, testBackend } from "./support/app";

// config() caches the environment: the key must be in place before anything reads it.
process.env.CONDUIT_ENCRYPTION_KEY = randomBytes(32).toString("base64");

const dataDir = mkdtempSync(path.join(tmpdir(), "conduit-gate-tokens-"));
let handle: DbHandle;
let db: Db;
let orgId: string;
let gateAgentId: string;

async function createGateAgent(org: string): Promise<string> {
  const keyHash = sha256Hex(randomUUID());
  const [agent] = await db.insert(tables.gateAgents).values({ orgId: org, name: "Payments bot", keyHash, keyStart: "sg_test" }).returning();
  if (!agent) throw new Error("gate agent insert returned no row");
  return agent.id;
}

/** An approved thread for a fresh task, with its token issued. */
async function approvedThread(options: { now?: Date; ttlSeconds?: number } = {}) {
  const taskId = `task-${randomUUID()}`;
  const publicId = `THR-${randomBytes(4).toString("hex").toUpperCase()}`;
  const [thread] = await db
    .insert(tables.gateThreads)
    .values({
      publicId,
      orgId,
      gateAgentId,
      taskId,
      workflowName: "refunds",
      taskLabel: "Refund order",
      toolName: "issue_refund",
      subject: "Refund 120 EUR",
      status: "approved",
      decidedAt: new Date(),
    })
    .returning();
  if (!thread) throw new Error("gate thread insert returned no row");
  const issued = await issueApprovalToken(db, { orgId, threadId: thread.id, threadPublicId: publicId, taskId }, options);
  return { thread, taskId, ...issued };
}

function validate(signature: string, taskId: string, scope: { orgId?: string; gateAgentId?: string } = {}) {
  return validateApprovalToken(db, { orgId: scope.orgId ?? orgId, gateAgentId: scope.gateAgentId, taskId, signature });
}

function replaceCharAt(text: string, index: number): string {
  return text.slice(0, index) + (text[index] === "A" ? "B" : "A") + text.slice(index + 1);
}

beforeAll(async () => {
  handle = await openDatabase(testBackend() === "postgres" ? { url: await createPostgresDatabase(), dataDir } : { dataDir });
  db = handle.db;
  orgId = (await createOrganisation(db, { name: "Gate tokens" })).id;
  gateAgentId = await createGateAgent(orgId);
});

afterAll(async () => {
  await handle?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("issuing", () => {
  it("derives the same token on every poll and stores only its hash", async () => {
    const before = Date.now();
    const { thread, taskId, token, expiresAt } = await approvedThread();
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    // Default TTL (900 s), truncated to whole seconds so token_expires_at is exact.
    expect(expiresAt.getTime() % 1000).toBe(0);
    expect(expiresAt.getTime()).toBeGreaterThan(before + 898_000);
    expect(expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 900_000);

    expect(await approvalTokenFor(db, thread.id)).toEqual({ token, expiresAt });
    expect(await approvalTokenFor(db, thread.id)).toEqual({ token, expiresAt });
    // Approving again (or concurrently) returns the first token.
    const again = await Promise.all(
      [1, 2, 3].map(() => issueApprovalToken(db, { orgId, threadId: thread.id, threadPublicId: thread.publicId, taskId })),
    );
    for (const issued of again) expect(issued).toEqual({ token, expiresAt });

    const rows = await db.select().from(tables.approvalTokens).where(eq(tables.approvalTokens.threadId, thread.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.tokenHash).toBe(sha256Hex(token));
    expect(JSON.stringify(rows)).not.toContain(token.split(".")[1]);
  });

  it("has no token for a thread that was never issued one", async () => {
    expect(await approvalTokenFor(db, randomUUID())).toBeNull();
  });
});

describe("validating", () => {
  it("accepts a token once, then reports it already used", async () => {
    const { token, taskId } = await approvedThread();
    expect(await validate(token, taskId)).toEqual({ valid: true });
    expect(await validate(token, taskId)).toEqual({ valid: false, reason: "already_used" });
    // Asked again, the answer stays the same.
    expect(await validate(token, taskId)).toEqual({ valid: false, reason: "already_used" });
  });

  it("lets exactly one of 50 concurrent validations through", async () => {
    const { token, taskId, thread } = await approvedThread();
    const results = await Promise.all(Array.from({ length: 50 }, () => validate(token, taskId)));
    expect(results.filter((result) => result.valid)).toHaveLength(1);
    expect(results.filter((result) => !result.valid && result.reason === "already_used")).toHaveLength(49);
    const [row] = await db.select().from(tables.approvalTokens).where(eq(tables.approvalTokens.threadId, thread.id));
    expect(row?.consumedAt).toBeInstanceOf(Date);
  });

  it("refuses a token for another task without consuming it", async () => {
    const { token, taskId } = await approvedThread();
    const other = await approvedThread();
    expect(await validate(token, other.taskId)).toEqual({ valid: false, reason: "task_mismatch" });
    expect(await validate(token, "")).toEqual({ valid: false, reason: "task_mismatch" });
    expect(await validate(token, taskId)).toEqual({ valid: true });
  });

  it("refuses an expired token", async () => {
    const { token, taskId, thread, expiresAt } = await approvedThread({ now: new Date(Date.now() - 120_000), ttlSeconds: 60 });
    expect(expiresAt.getTime()).toBeLessThan(Date.now());
    expect(await validate(token, taskId)).toEqual({ valid: false, reason: "expired" });
    const [row] = await db.select().from(tables.approvalTokens).where(eq(tables.approvalTokens.threadId, thread.id));
    expect(row?.consumedAt).toBeNull();
  });

  it("refuses forged tokens and leaves the genuine one usable", async () => {
    const { token, taskId } = await approvedThread();
    const [payload = "", signature = ""] = token.split(".");
    // One character of the signature changed.
    expect(await validate(`${payload}.${replaceCharAt(signature, 0)}`, taskId)).toEqual({ valid: false, reason: "invalid" });
    expect(await validate(`${payload}.${replaceCharAt(signature, 42)}`, taskId)).toEqual({ valid: false, reason: "invalid" });
    // One character of the payload changed, the signature kept.
    expect(await validate(`${replaceCharAt(payload, 5)}.${signature}`, taskId)).toEqual({ valid: false, reason: "invalid" });
    // The same payload (task included) signed with a different key.
    const otherKey = createHmac("sha256", randomBytes(32)).update(payload).digest("base64url");
    expect(await validate(`${payload}.${otherKey}`, taskId)).toEqual({ valid: false, reason: "invalid" });
    // A payload of the attacker's choosing for this task, signed with a different key.
    const claimed = Buffer.from(JSON.stringify({ t: "THR-FAKE", k: taskId, e: 9_999_999_999, n: randomUUID() })).toString("base64url");
    const claimedSig = createHmac("sha256", randomBytes(32)).update(claimed).digest("base64url");
    expect(await validate(`${claimed}.${claimedSig}`, taskId)).toEqual({ valid: false, reason: "invalid" });

    expect(await validate(token, taskId)).toEqual({ valid: true });
  });

  it("answers invalid for garbage, never throwing", async () => {
    const { token, taskId } = await approvedThread();
    const garbage = [
      "",
      ".",
      "..",
      "abc",
      "a.b",
      `.${token.split(".")[1]}`,
      `${token}.`,
      `${token}x`,
      ` ${token}`,
      "é.ü",
      "\u0000",
      "x".repeat(100_000),
      `${token.split(".")[0]}`,
    ];
    for (const signature of garbage) {
      expect(await validate(signature, taskId)).toEqual({ valid: false, reason: "invalid" });
    }
    expect(await validate(token, taskId)).toEqual({ valid: true });
  });

  it("is bound to its organisation and gate agent", async () => {
    const { token, taskId } = await approvedThread();
    const otherOrg = (await createOrganisation(db, { name: "Someone else" })).id;
    const otherOrgAgent = await createGateAgent(otherOrg);
    const sameOrgOtherAgent = await createGateAgent(orgId);
    expect(await validate(token, taskId, { orgId: otherOrg })).toEqual({ valid: false, reason: "invalid" });
    expect(await validate(token, taskId, { orgId: otherOrg, gateAgentId: otherOrgAgent })).toEqual({ valid: false, reason: "invalid" });
    expect(await validate(token, taskId, { gateAgentId: sameOrgOtherAgent })).toEqual({ valid: false, reason: "invalid" });
    expect(await validate(token, taskId, { gateAgentId })).toEqual({ valid: true });
  });
});
