/**
 * Signed, single-use approval tokens. When a reviewer approves a thread of a gate agent with
 * signed tokens enabled, the agent receives a token with the decision and must validate it once
 * before executing the gated tool.
 *
 * Token: base64url(JSON {t: thread public id, k: task id, e: expiry epoch seconds, n: row id})
 * "." base64url(HMAC-SHA256(key, the encoded payload)). It is deterministic in its row, so each
 * poll can re-derive it while the database keeps only its sha256.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import { z } from "zod";
import { config } from "@/lib/config";
import { deriveKey, sha256Hex } from "@/lib/crypto";
import { tables, type Db } from "@/lib/db";
import { now } from "@/lib/runtime/clock";
import { taskIdField } from "./threads";

/** `POST /api/agent/approvals/validate`: the token (`signature`) and the task it must be bound to. */
export const ValidateApprovalTokenRequest = z.object({ task_id: taskIdField, signature: z.string().min(1, "signature is required") });

/** Why a token did not validate. */
export type ApprovalTokenFailure = "invalid" | "task_mismatch" | "expired" | "already_used";
export type ApprovalTokenCheck = { valid: true } | { valid: false; reason: ApprovalTokenFailure };

/**
 * The status of each failed validation, never a 2xx, so a client that only checks the status
 * cannot run a gated tool on a refused token: 403 for a token that grants nothing here (forged,
 * unknown, or another task's), 409 for a replay, 410 for an expired one. 401 stays the key's.
 */
export const APPROVAL_TOKEN_FAILURE_STATUS: Record<ApprovalTokenFailure, number> = {
  invalid: 403,
  task_mismatch: 403,
  already_used: 409,
  expired: 410,
};

export interface ApprovalToken {
  token: string;
  expiresAt: Date;
}

/** Far longer than any token we issue; anything bigger is rejected before hashing. */
const MAX_TOKEN_LENGTH = 4096;
/** base64url of a 32-byte HMAC, unpadded. */
const SIGNATURE_LENGTH = 43;

function sign(encodedPayload: string): string {
  return createHmac("sha256", deriveKey("approval-tokens")).update(encodedPayload).digest("base64url");
}

function deriveToken(row: { id: string; taskId: string; expiresAt: Date }, threadPublicId: string): string {
  const payload = { t: threadPublicId, k: row.taskId, e: Math.floor(row.expiresAt.getTime() / 1000), n: row.id };
  const encoded = Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
  return `${encoded}.${sign(encoded)}`;
}

/**
 * Compares the signature as text in constant time: comparing decoded bytes would accept variants
 * of the last base64 character (its spare bits are ignored when decoding).
 */
function signatureMatches(token: string): boolean {
  const dot = token.indexOf(".");
  if (dot <= 0) return false;
  const given = Buffer.from(token.slice(dot + 1), "utf8");
  if (given.length !== SIGNATURE_LENGTH) return false;
  return timingSafeEqual(given, Buffer.from(sign(token.slice(0, dot)), "utf8"));
}

/**
 * The token of an approved thread, re-derived from its row (for every poll), or null when the
 * thread has none. Null too if the signing key changed since issue: that token could never
 * validate. `usableOnly`: null once the token was used or has expired, as polls show it.
 */
export async function approvalTokenFor(db: Db, threadId: string, options: { usableOnly?: boolean } = {}): Promise<ApprovalToken | null> {
  const usable = options.usableOnly ? [isNull(tables.approvalTokens.consumedAt), gt(tables.approvalTokens.expiresAt, now())] : [];
  const [row] = await db
    .select({
      id: tables.approvalTokens.id,
      taskId: tables.approvalTokens.taskId,
      tokenHash: tables.approvalTokens.tokenHash,
      expiresAt: tables.approvalTokens.expiresAt,
      threadPublicId: tables.gateThreads.publicId,
    })
    .from(tables.approvalTokens)
    .innerJoin(tables.gateThreads, eq(tables.gateThreads.id, tables.approvalTokens.threadId))
    .where(and(eq(tables.approvalTokens.threadId, threadId), ...usable))
    .limit(1);
  if (!row) return null;
  const token = deriveToken(row, row.threadPublicId);
  return sha256Hex(token) === row.tokenHash ? { token, expiresAt: row.expiresAt } : null;
}

/**
 * Issues the token for an approved thread; idempotent per thread (a repeated or concurrent call
 * returns the first token). `now` and `ttlSeconds` override the clock and APPROVAL_TOKEN_TTL_SECONDS.
 */
export async function issueApprovalToken(
  db: Db,
  input: { orgId: string; threadId: string; threadPublicId: string; taskId: string },
  options: { now?: Date; ttlSeconds?: number } = {},
): Promise<ApprovalToken> {
  const issuedAt = options.now ?? now();
  const ttlSeconds = options.ttlSeconds ?? config().APPROVAL_TOKEN_TTL_SECONDS;
  // Whole seconds, so the stored expiry equals the one signed into the token.
  const expiresAt = new Date((Math.floor(issuedAt.getTime() / 1000) + ttlSeconds) * 1000);
  // The row id is chosen here because the token (and so its hash) includes it.
  const row = { id: randomUUID(), taskId: input.taskId, expiresAt };
  await db
    .insert(tables.approvalTokens)
    .values({
      ...row,
      orgId: input.orgId,
      threadId: input.threadId,
      tokenHash: sha256Hex(deriveToken(row, input.threadPublicId)),
    })
    .onConflictDoNothing({ target: tables.approvalTokens.threadId });
  const issued = await approvalTokenFor(db, input.threadId);
  if (!issued) throw new Error("approval token for the thread could not be re-derived (was the encryption key changed?)");
  return issued;
}

/**
 * Checks a token presented before executing a gated tool and, if it holds, consumes it. Exactly
 * one of any number of concurrent validations of a token succeeds. A failed check (wrong task,
 * expired) leaves the token untouched. Never throws for malformed input.
 */
export async function validateApprovalToken(
  db: Db,
  input: { orgId: string; gateAgentId?: string; taskId: string; signature: string },
): Promise<ApprovalTokenCheck> {
  const token = input.signature;
  // Forged or malformed tokens are refused before touching the database.
  if (token.length > MAX_TOKEN_LENGTH || !signatureMatches(token)) {
    return { valid: false, reason: "invalid" };
  }
  const scope = [eq(tables.approvalTokens.tokenHash, sha256Hex(token)), eq(tables.approvalTokens.orgId, input.orgId)];
  if (input.gateAgentId !== undefined) scope.push(eq(tables.gateThreads.gateAgentId, input.gateAgentId));
  const [row] = await db
    .select({ id: tables.approvalTokens.id, taskId: tables.approvalTokens.taskId, expiresAt: tables.approvalTokens.expiresAt })
    .from(tables.approvalTokens)
    .innerJoin(tables.gateThreads, eq(tables.gateThreads.id, tables.approvalTokens.threadId))
    .where(and(...scope))
    .limit(1);
  // Another organisation's (or gate agent's) token is indistinguishable from an unknown one.
  if (!row) return { valid: false, reason: "invalid" };
  if (row.taskId !== input.taskId) return { valid: false, reason: "task_mismatch" };
  const at = now();
  if (row.expiresAt.getTime() <= at.getTime()) return { valid: false, reason: "expired" };
  // One conditional UPDATE is the consumption: concurrent callers serialise on the row lock and
  // only the first still sees consumed_at null. The same `at` as the expiry check, so no row
  // here can only mean the token was already used.
  const consumed = await db
    .update(tables.approvalTokens)
    .set({ consumedAt: at })
    .where(and(eq(tables.approvalTokens.id, row.id), isNull(tables.approvalTokens.consumedAt), gt(tables.approvalTokens.expiresAt, at)))
    .returning({ id: tables.approvalTokens.id });
  return consumed.length === 1 ? { valid: true } : { valid: false, reason: "already_used" };
}
