import { randomBytes } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { config } from "@/lib/config";
import type { AutomationStep } from "@/lib/contracts/automation-steps";
import type { AutomationResponse, AutomationTriggerSecretsResponse, CreateAutomationResponse } from "@/lib/contracts";
import { encryptSecret } from "@/lib/crypto";
import { newSecret } from "@/lib/crypto/secrets";
import { newPublicId, tables, UUID_PATTERN, type Automation, type Db } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { findPayingKey } from "@/lib/keys";
import { maskHeaders, sealHeaders } from "@/lib/tools/header-secrets";
import type { CreateAutomationRequest, UpdateAutomationRequest } from "./schemas";

/** Trigger bearer secrets look unlike every other Conduit credential. */
export const TRIGGER_SECRET_PREFIX = "ats_";

export interface AutomationOwner {
  orgId: string;
  userId: string | null;
}

/** A trigger's two secrets, new: the bearer secret is stored hashed, the signing secret encrypted (it must be read to verify). */
function newTriggerSecrets() {
  const bearer = newSecret(TRIGGER_SECRET_PREFIX);
  const signingSecret = `whsec_${randomBytes(32).toString("base64")}`;
  return {
    bearerSecret: bearer.secret,
    signingSecret,
    columns: { triggerSecretHash: bearer.hash, triggerSecretStart: bearer.start, signingSecretCiphertext: encryptSecret(signingSecret) },
  };
}

export function triggerUrl(automation: Pick<Automation, "triggerId">): string {
  return `${config().publicUrl}/api/webhooks/automations/${automation.triggerId}`;
}

/** The key that pays for agent steps, as stored: an unrevoked key of the organisation. `undefined` keeps the setting. */
async function payingKeyId(
  db: Db,
  orgId: string,
  ref: string | null | undefined,
): Promise<{ id: string; agentIds: string[] | null } | null | undefined> {
  return ref === undefined || ref === null ? ref : findPayingKey(db, orgId, ref);
}

/**
 * Agent steps name agents of the organisation (stored by public id) that the paying key, if
 * any, may use: checked when saving and again when publishing, since agents and keys change.
 */
async function checkedSteps(db: Db, orgId: string, steps: AutomationStep[], keyAgentIds: string[] | null): Promise<AutomationStep[]> {
  const checked: AutomationStep[] = [];
  for (const [index, step] of steps.entries()) {
    if (step.type !== "agent") {
      checked.push(step);
      continue;
    }
    const byRef = UUID_PATTERN.test(step.agent_id) ? eq(tables.agents.id, step.agent_id) : eq(tables.agents.publicId, step.agent_id);
    const [agent] = await db
      .select({ id: tables.agents.id, publicId: tables.agents.publicId })
      .from(tables.agents)
      .where(and(eq(tables.agents.orgId, orgId), byRef))
      .limit(1);
    if (!agent) throw new ApiError("VALIDATION_FAILED", `steps.${index}.agent_id: no agent by that id in your organisation`);
    if (keyAgentIds && !keyAgentIds.includes(agent.id)) {
      throw new ApiError("VALIDATION_FAILED", `steps.${index}.agent_id: the paying API key may not use that agent`);
    }
    checked.push({ ...step, agent_id: agent.publicId });
  }
  return checked;
}

/**
 * Header values of http steps carry credentials, so they are kept like tool headers: encrypted
 * at rest, shown as a mask; a step sending the mask back keeps its stored value (matched by step id).
 */
function sealSteps(steps: AutomationStep[], previous: AutomationStep[]): AutomationStep[] {
  return steps.map((step) => {
    if (step.type !== "http" || !step.headers) return step;
    const before = previous.find((candidate) => candidate.id === step.id && candidate.type === "http");
    return { ...step, headers: sealHeaders(step.headers, before?.type === "http" ? before.headers : undefined) };
  });
}

/** Steps as responses show them: header values masked. */
function maskedSteps(steps: AutomationStep[]): AutomationStep[] {
  return steps.map((step) => (step.type === "http" && step.headers ? { ...step, headers: maskHeaders(step.headers) } : step));
}

async function keyAgentIdsOf(db: Db, automation: Pick<Automation, "apiKeyId">): Promise<string[] | null> {
  if (!automation.apiKeyId) return null;
  const [key] = await db
    .select({ agentIds: tables.apiKeys.agentIds })
    .from(tables.apiKeys)
    .where(eq(tables.apiKeys.id, automation.apiKeyId));
  return key?.agentIds ?? null;
}

export async function createAutomation(
  db: Db,
  owner: AutomationOwner,
  body: CreateAutomationRequest,
): Promise<{ automation: Automation; bearerSecret: string; signingSecret: string }> {
  const key = await payingKeyId(db, owner.orgId, body.api_key_id);
  const steps = sealSteps(await checkedSteps(db, owner.orgId, body.steps ?? [], key?.agentIds ?? null), []);
  const secrets = newTriggerSecrets();
  const [automation] = await db
    .insert(tables.automations)
    .values({
      publicId: newPublicId("automation"),
      orgId: owner.orgId,
      name: body.name,
      draftSteps: steps,
      apiKeyId: key?.id ?? null,
      triggerId: newPublicId("automationTrigger"),
      ...secrets.columns,
      createdByUserId: owner.userId,
    })
    .returning();
  return { automation: automation!, bearerSecret: secrets.bearerSecret, signingSecret: secrets.signingSecret };
}

export async function listAutomations(db: Db, orgId: string): Promise<Automation[]> {
  return db.select().from(tables.automations).where(eq(tables.automations.orgId, orgId)).orderBy(asc(tables.automations.createdAt));
}

/** An automation of the organisation by its public id; another organisation's is a 404 like a missing one. */
export async function getAutomation(db: Db, orgId: string, publicId: string): Promise<Automation> {
  const [automation] = await db
    .select()
    .from(tables.automations)
    .where(and(eq(tables.automations.orgId, orgId), eq(tables.automations.publicId, publicId)))
    .limit(1);
  if (!automation) throw notFound("Automation");
  return automation;
}

/** Changes the draft (and name, paying key); the published snapshot keeps running until the automation is published again. */
export async function updateAutomation(db: Db, orgId: string, publicId: string, body: UpdateAutomationRequest): Promise<Automation> {
  const automation = await getAutomation(db, orgId, publicId);
  const key = await payingKeyId(db, orgId, body.api_key_id);
  const keyAgentIds = key === undefined ? await keyAgentIdsOf(db, automation) : (key?.agentIds ?? null);
  const steps = sealSteps(await checkedSteps(db, orgId, body.steps ?? automation.draftSteps, keyAgentIds), automation.draftSteps);
  const [updated] = await db
    .update(tables.automations)
    .set({
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(key !== undefined ? { apiKeyId: key?.id ?? null } : {}),
      ...(body.steps !== undefined ? { draftSteps: steps } : {}),
      updatedAt: new Date(),
    })
    .where(eq(tables.automations.id, automation.id))
    .returning();
  return updated!;
}

/** Makes the draft what the trigger runs; runs already under way keep the steps they started with. */
export async function publishAutomation(db: Db, orgId: string, publicId: string): Promise<Automation> {
  const automation = await getAutomation(db, orgId, publicId);
  if (automation.draftSteps.length === 0) throw new ApiError("BAD_REQUEST", "Add at least one step before publishing");
  const steps = await checkedSteps(db, orgId, automation.draftSteps, await keyAgentIdsOf(db, automation));
  const at = new Date();
  const [updated] = await db
    .update(tables.automations)
    .set({ draftSteps: steps, publishedSteps: steps, publishedAt: at, updatedAt: at })
    .where(eq(tables.automations.id, automation.id))
    .returning();
  return updated!;
}

/** The trigger answers 404 from now on; queued and running runs finish. */
export async function unpublishAutomation(db: Db, orgId: string, publicId: string): Promise<Automation> {
  const automation = await getAutomation(db, orgId, publicId);
  const [updated] = await db
    .update(tables.automations)
    .set({ publishedSteps: null, publishedAt: null, updatedAt: new Date() })
    .where(eq(tables.automations.id, automation.id))
    .returning();
  return updated!;
}

/** New bearer and signing secrets; the old ones stop working at once. */
export async function rotateTriggerSecrets(db: Db, orgId: string, publicId: string): Promise<AutomationTriggerSecretsResponse> {
  const automation = await getAutomation(db, orgId, publicId);
  const secrets = newTriggerSecrets();
  const [updated] = await db
    .update(tables.automations)
    .set({ ...secrets.columns, updatedAt: new Date() })
    .where(eq(tables.automations.id, automation.id))
    .returning();
  return { trigger: serializeTrigger(updated!), bearer_secret: secrets.bearerSecret, signing_secret: secrets.signingSecret };
}

/** Deletes the automation with its run history. */
export async function deleteAutomation(db: Db, orgId: string, publicId: string): Promise<void> {
  const automation = await getAutomation(db, orgId, publicId);
  await db.delete(tables.automations).where(eq(tables.automations.id, automation.id));
}

const serializeTrigger = (automation: Automation) => ({
  id: automation.triggerId,
  url: triggerUrl(automation),
  bearer_secret_start: automation.triggerSecretStart,
});

export async function serializeAutomation(db: Db, automation: Automation): Promise<AutomationResponse> {
  const [key] = automation.apiKeyId
    ? await db.select({ publicId: tables.apiKeys.publicId }).from(tables.apiKeys).where(eq(tables.apiKeys.id, automation.apiKeyId)).limit(1)
    : [];
  const published = automation.publishedSteps;
  return {
    id: automation.publicId,
    name: automation.name,
    status: published ? "published" : "draft",
    steps: maskedSteps(automation.draftSteps),
    published_steps: published ? maskedSteps(published) : null,
    has_unpublished_changes: published !== null && JSON.stringify(published) !== JSON.stringify(automation.draftSteps),
    published_at: automation.publishedAt?.toISOString() ?? null,
    api_key_id: key?.publicId ?? null,
    trigger: serializeTrigger(automation),
    created_at: automation.createdAt.toISOString(),
    updated_at: automation.updatedAt.toISOString(),
  };
}

export async function serializeCreatedAutomation(
  db: Db,
  created: { automation: Automation; bearerSecret: string; signingSecret: string },
): Promise<CreateAutomationResponse> {
  return {
    ...(await serializeAutomation(db, created.automation)),
    bearer_secret: created.bearerSecret,
    signing_secret: created.signingSecret,
  };
}

/** The agents an agent step may name, for the dashboard's editor. */
export async function agentChoices(db: Db, orgId: string): Promise<Array<{ id: string; name: string }>> {
  const agents = await db
    .select({ id: tables.agents.publicId, name: tables.agents.name })
    .from(tables.agents)
    .where(eq(tables.agents.orgId, orgId))
    .orderBy(asc(tables.agents.name));
  return agents.map((agent) => ({ id: agent.id, name: agent.name ?? agent.id }));
}
