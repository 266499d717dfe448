import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { tables, UUID_PATTERN, type Db, type GateRule, type GateTool } from "@/lib/db";
import { ApiError, isUniqueViolation, notFound } from "@/lib/errors";
import type { GateToolResponse } from "@/lib/contracts";
import { gateActions, validateRule } from "./rules";

/** Bounds the work one request can cause: every rule of a tool is evaluated. */
export const MAX_GATE_RULES = 20;

export const CreateGateToolRequest = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  default_action: z.enum(gateActions).optional(),
  rules: z.array(z.unknown()).max(MAX_GATE_RULES, `at most ${MAX_GATE_RULES} rules per tool`).optional(),
});

export const UpdateGateToolRequest = z.object({
  description: z.string().max(2000).nullable().optional(),
  default_action: z.enum(gateActions).optional(),
  /** Replaces every rule of the tool, in order. */
  rules: z.array(z.unknown()).max(MAX_GATE_RULES, `at most ${MAX_GATE_RULES} rules per tool`).optional(),
});

async function replaceRules(db: Db, orgId: string, toolId: string, rules: unknown[]): Promise<void> {
  // Every rule (regexes included) is validated before anything is written.
  const valid = rules.map((rule) => validateRule(rule));
  await db.delete(tables.gateRules).where(eq(tables.gateRules.toolId, toolId));
  if (valid.length === 0) return;
  await db.insert(tables.gateRules).values(
    valid.map((rule, position) => ({
      orgId,
      toolId,
      type: rule.type,
      parameter: rule.parameter,
      value: rule.value ?? null,
      min: rule.min ?? null,
      max: rule.max ?? null,
      pattern: rule.pattern ?? null,
      action: rule.action,
      position,
    })),
  );
}

/** Names are unique per organisation: a taken one is a 409, also when a concurrent request took it first. */
export async function createGateTool(db: Db, orgId: string, input: z.output<typeof CreateGateToolRequest>) {
  const taken = () => new ApiError("CONFLICT", `A tool named ${input.name} already exists`);
  try {
    return await db.transaction(async (tx) => {
      const [existing] = await tx
        .select({ id: tables.gateTools.id })
        .from(tables.gateTools)
        .where(and(eq(tables.gateTools.orgId, orgId), eq(tables.gateTools.name, input.name)));
      if (existing) throw taken();
      const [tool] = await tx
        .insert(tables.gateTools)
        .values({ orgId, name: input.name, description: input.description ?? null, defaultAction: input.default_action ?? "review" })
        .returning();
      await replaceRules(tx, orgId, tool!.id, input.rules ?? []);
      return tool!;
    });
  } catch (error) {
    throw isUniqueViolation(error) ? taken() : error;
  }
}

export async function getGateTool(db: Db, orgId: string, id: string): Promise<GateTool> {
  if (!UUID_PATTERN.test(id)) throw notFound("Tool");
  const [tool] = await db
    .select()
    .from(tables.gateTools)
    .where(and(eq(tables.gateTools.orgId, orgId), eq(tables.gateTools.id, id)));
  if (!tool) throw notFound("Tool");
  return tool;
}

export async function updateGateTool(db: Db, orgId: string, id: string, input: z.output<typeof UpdateGateToolRequest>) {
  const current = await getGateTool(db, orgId, id);
  const changes = { description: input.description, defaultAction: input.default_action };
  // An update naming no field changes nothing (an UPDATE needs at least one column).
  const changesColumns = Object.values(changes).some((value) => value !== undefined);
  return db.transaction(async (tx) => {
    const [tool] = changesColumns
      ? await tx.update(tables.gateTools).set(changes).where(eq(tables.gateTools.id, current.id)).returning()
      : [current];
    if (input.rules) await replaceRules(tx, orgId, current.id, input.rules);
    return tool!;
  });
}

export function listGateTools(db: Db, orgId: string): Promise<GateTool[]> {
  return db.select().from(tables.gateTools).where(eq(tables.gateTools.orgId, orgId)).orderBy(asc(tables.gateTools.createdAt));
}

export function rulesOf(db: Db, toolId: string): Promise<GateRule[]> {
  return db.select().from(tables.gateRules).where(eq(tables.gateRules.toolId, toolId)).orderBy(asc(tables.gateRules.position));
}

/** A registered tool by name, with its rules, or null. */
export async function findGateToolByName(db: Db, orgId: string, name: string) {
  const [tool] = await db
    .select()
    .from(tables.gateTools)
    .where(and(eq(tables.gateTools.orgId, orgId), eq(tables.gateTools.name, name)));
  return tool ? { tool, rules: await rulesOf(db, tool.id) } : null;
}

export async function serializeGateTool(db: Db, tool: GateTool): Promise<GateToolResponse> {
  const rules = await rulesOf(db, tool.id);
  return {
    id: tool.id,
    name: tool.name,
    description: tool.description,
    default_action: tool.defaultAction,
    rules: rules.map((rule) => ({
      id: rule.id,
      type: rule.type,
      parameter: rule.parameter,
      ...(rule.value !== null ? { value: rule.value } : {}),
      ...(rule.min !== null ? { min: rule.min } : {}),
      ...(rule.max !== null ? { max: rule.max } : {}),
      ...(rule.pattern !== null ? { pattern: rule.pattern } : {}),
      action: rule.action,
    })),
    created_at: tool.createdAt.toISOString(),
  };
}

// The names route handlers import today; new code uses the names above.
export { CreateGateToolRequest as createGateToolRequest, UpdateGateToolRequest as updateGateToolRequest };
