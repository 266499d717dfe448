/**
 * `POST /api/webhooks/automations/{triggerId}`: a published automation's webhook. Callers prove
 * who they are with the trigger's bearer secret, or sign with its Standard Webhooks secret; the
 * run is stored and queued before the 202, and a repeated `webhook-id` starts nothing new.
 */
import { timingSafeEqual } from "node:crypto";
import { and, eq, isNotNull } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import type { AutomationRunQueuedResponse } from "@/lib/contracts";
import { config } from "@/lib/config";
import { decryptSecret, sha256Hex } from "@/lib/crypto";
import { secretShape } from "@/lib/crypto/secrets";
import { tables, type Automation, type Db } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { assertStorableText, parseJsonText, readRawBody } from "@/lib/http";
import { enforceIngressLimit } from "@/lib/ratelimit";
import { TRIGGER_SECRET_PREFIX } from "./manage";
import { queueRun } from "./runs";

/** Large enough for any event payload, small enough to keep in a run's history. */
export const MAX_TRIGGER_BODY_BYTES = 256 * 1024;
const TRIGGER_ID_PATTERN = /^trg_[0-9A-Za-z]{16}$/;
const BEARER_SHAPE = secretShape(TRIGGER_SECRET_PREFIX);
const MAX_WEBHOOK_ID_LENGTH = 200;

async function findPublished(db: Db, triggerId: string): Promise<Automation | null> {
  if (!TRIGGER_ID_PATTERN.test(triggerId)) return null;
  const [automation] = await db
    .select()
    .from(tables.automations)
    .where(and(eq(tables.automations.triggerId, triggerId), isNotNull(tables.automations.publishedSteps)))
    .limit(1);
  return automation ?? null;
}

const sameHash = (presented: string, expected: string) => {
  const a = Buffer.from(sha256Hex(presented));
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** The bearer secret if one is sent, else the Standard Webhooks signature over the raw bytes. */
function authenticate(automation: Automation, request: Request, raw: Buffer): void {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) {
    const presented = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] ?? "";
    if (BEARER_SHAPE.test(presented) && sameHash(presented, automation.triggerSecretHash)) return;
    throw new ApiError("UNAUTHENTICATED", "The bearer secret does not match this trigger's");
  }
  const headers = {
    "webhook-id": request.headers.get("webhook-id") ?? "",
    "webhook-timestamp": request.headers.get("webhook-timestamp") ?? "",
    "webhook-signature": request.headers.get("webhook-signature") ?? "",
  };
  if (!headers["webhook-signature"]) {
    throw new ApiError("UNAUTHENTICATED", "Send the trigger's bearer secret, or sign the request with its Standard Webhooks secret");
  }
  try {
    new Webhook(decryptSecret(automation.signingSecretCiphertext)).verify(raw, headers, { jsonParse: false });
  } catch (error) {
    const reason = error instanceof Error ? error.message : "verification failed";
    throw new ApiError("UNAUTHENTICATED", `The Standard Webhooks signature does not verify: ${reason}`);
  }
}

export async function receiveTrigger(db: Db, triggerId: string, request: Request): Promise<Response> {
  const automation = await findPublished(db, triggerId);
  if (!automation) throw new ApiError("NOT_FOUND", "No published automation has this trigger");
  // Every caller of one trigger together: a leaked URL cannot flood the organisation's queue.
  await enforceIngressLimit(`automation-trigger:${automation.triggerId}`, "all", config().AUTOMATION_TRIGGER_PER_MINUTE);
  const raw = await readRawBody(request, MAX_TRIGGER_BODY_BYTES);
  authenticate(automation, request, raw);
  const mediaType = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "application/json") throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Send the payload as application/json");
  const payload = parseJsonText(raw.toString("utf8"));
  assertStorableText(payload);
  const webhookId = request.headers.get("webhook-id");
  if (webhookId !== null && (webhookId.length === 0 || webhookId.length > MAX_WEBHOOK_ID_LENGTH)) {
    throw new ApiError("BAD_REQUEST", `webhook-id must be 1 to ${MAX_WEBHOOK_ID_LENGTH} characters`);
  }
  assertStorableText(webhookId ?? "", "webhook-id");
  const { run } = await queueRun(db, automation, { payload, webhookId });
  const body: AutomationRunQueuedResponse = { run_id: run.publicId, status: run.status };
  return Response.json(body, { status: 202 });
}
