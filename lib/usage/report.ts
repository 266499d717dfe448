import { and, eq, gte, or, sql, type SQL } from "drizzle-orm";
import { costMicrocents, flushCharges, MICROCENTS_PER_CENT, periodStart, planStanding, type PlanCap } from "@/lib/billing";
import { tables, type ApiKey, type Db } from "@/lib/db";
import { flushGenerationRecords } from "@/lib/generations";
import { now } from "@/lib/runtime/clock";
import type { UsageQuery } from "./query";

const DAY_MS = 86_400_000;

export interface UsageTotals {
  /** Runs (generations): what the plan counts as messages. */
  messages: number;
  inputTokens: number;
  outputTokens: number;
  /** Each run's tokens at its model's price: the prices keys are charged at. */
  spendMicrocents: number;
}

export interface UsageDay extends UsageTotals {
  /** YYYY-MM-DD (UTC). */
  day: string;
}

export interface UsageShare extends UsageTotals {
  /** The agent's or key's row id; null: runs without a key (personal access tokens). */
  id: string | null;
  label: string;
}

export interface KeyBudget {
  id: string;
  label: string;
  period: NonNullable<ApiKey["budgetPeriod"]> | null;
  spentMicrocents: number;
  budgetMicrocents: number;
}

export interface UsageReport {
  since: Date;
  /** One entry per UTC day of the period, days without runs included. */
  days: UsageDay[];
  totals: UsageTotals;
  byAgent: UsageShare[];
  byKey: UsageShare[];
  plan: { month: Date; messages: PlanCap; tokens: PlanCap };
  budgets: KeyBudget[];
  /** What the page offers as filters. */
  agents: Array<{ id: string; label: string }>;
  keys: Array<{ id: string; label: string }>;
}

const zero = (): UsageTotals => ({ messages: 0, inputTokens: 0, outputTokens: 0, spendMicrocents: 0 });

function add(into: UsageTotals, row: UsageTotals): void {
  into.messages += row.messages;
  into.inputTokens += row.inputTokens;
  into.outputTokens += row.outputTokens;
  into.spendMicrocents += row.spendMicrocents;
}

/** The first UTC midnight of a period of `days` days ending today. */
export function periodSince(days: number, at: Date = now()): Date {
  const today = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  return new Date(today - (days - 1) * DAY_MS);
}

/** The filters of a usage query as conditions on generations (shared with the CSV export). */
export function generationConditions(orgId: string, query: UsageQuery, since: Date): SQL[] {
  const g = tables.generations;
  const conditions: SQL[] = [eq(g.orgId, orgId), gte(g.createdAt, since)];
  if (query.agent) conditions.push(eq(g.agentId, query.agent));
  if (query.key) conditions.push(eq(g.apiKeyId, query.key));
  return conditions;
}

const keyLabel = (key: Pick<ApiKey, "name" | "start" | "revokedAt">) => `${key.name} (${key.start}…)${key.revokedAt ? " · revoked" : ""}`;

/**
 * Messages, tokens and spend of an organisation over the last `days` days, per day, agent and
 * key, with its plan caps and key budgets for the current period. One grouped read of the
 * generations (by day, agent, key and model: a model decides the price) feeds every view.
 */
export async function usageReport(db: Db, orgId: string, query: UsageQuery): Promise<UsageReport> {
  await flushGenerationRecords();
  const g = tables.generations;
  const since = periodSince(query.days);
  const day = sql<string>`to_char(date_trunc('day', ${g.createdAt} at time zone 'UTC'), 'YYYY-MM-DD')`;
  const grouped = await db
    .select({
      day,
      agentId: g.agentId,
      apiKeyId: g.apiKeyId,
      model: g.model,
      messages: sql<number>`count(*)`.mapWith(Number),
      inputTokens: sql<number>`coalesce(sum(${g.inputTokens}), 0)`.mapWith(Number),
      outputTokens: sql<number>`coalesce(sum(${g.outputTokens}), 0)`.mapWith(Number),
    })
    .from(g)
    .where(and(...generationConditions(orgId, query, since)))
    .groupBy(day, g.agentId, g.apiKeyId, g.model);

  const agents = await db
    .select({ id: tables.agents.id, name: tables.agents.name, publicId: tables.agents.publicId })
    .from(tables.agents)
    .where(eq(tables.agents.orgId, orgId))
    .orderBy(tables.agents.createdAt);
  const keys = await db.select().from(tables.apiKeys).where(eq(tables.apiKeys.orgId, orgId)).orderBy(tables.apiKeys.createdAt);
  const [org] = await db.select().from(tables.organisations).where(eq(tables.organisations.id, orgId));
  if (!org) throw new Error(`organisation ${orgId} is gone`);

  const agentLabel = new Map(agents.map((agent) => [agent.id, agent.name ?? agent.publicId]));
  const keyLabels = new Map(keys.map((key) => [key.id, keyLabel(key)]));
  const days = new Map<string, UsageDay>();
  for (let at = since.getTime(); at <= now().getTime(); at += DAY_MS) {
    const key = new Date(at).toISOString().slice(0, 10);
    days.set(key, { day: key, ...zero() });
  }
  const totals = zero();
  const byAgent = new Map<string, UsageShare>();
  const byKey = new Map<string | null, UsageShare>();
  for (const row of grouped) {
    const usage: UsageTotals = {
      messages: row.messages,
      inputTokens: row.inputTokens,
      outputTokens: row.outputTokens,
      spendMicrocents: row.model ? costMicrocents(row.model, row) : 0,
    };
    add(totals, usage);
    const dayEntry = days.get(row.day);
    if (dayEntry) add(dayEntry, usage);
    const agentShare = byAgent.get(row.agentId) ?? { id: row.agentId, label: agentLabel.get(row.agentId) ?? "Deleted agent", ...zero() };
    add(agentShare, usage);
    byAgent.set(row.agentId, agentShare);
    const keyShare = byKey.get(row.apiKeyId) ?? {
      id: row.apiKeyId,
      label: row.apiKeyId ? (keyLabels.get(row.apiKeyId) ?? "Deleted key") : "No key (personal access token)",
      ...zero(),
    };
    add(keyShare, usage);
    byKey.set(row.apiKeyId, keyShare);
  }

  const bySpend = (a: UsageShare, b: UsageShare) => b.spendMicrocents - a.spendMicrocents || b.messages - a.messages;
  return {
    since,
    days: [...days.values()],
    totals,
    byAgent: [...byAgent.values()].sort(bySpend),
    byKey: [...byKey.values()].sort(bySpend),
    plan: await planStanding(db, org),
    budgets: await keyBudgets(db, keys),
    agents: agents.map((agent) => ({ id: agent.id, label: agentLabel.get(agent.id)! })),
    keys: keys.map((key) => ({ id: key.id, label: keyLabels.get(key.id)! })),
  };
}

/** Each live key with a budget: what it has spent of it in its current period. */
async function keyBudgets(db: Db, keys: ApiKey[]): Promise<KeyBudget[]> {
  const budgeted = keys.filter((key) => key.budgetUsdCents !== null && key.revokedAt === null);
  if (budgeted.length === 0) return [];
  const current = budgeted.map((key) => ({ key, start: periodStart(key.budgetPeriod) }));
  await flushCharges();
  const spend = await db
    .select()
    .from(tables.keySpend)
    .where(or(...current.map(({ key, start }) => and(eq(tables.keySpend.apiKeyId, key.id), eq(tables.keySpend.periodStart, start)))));
  return current.map(({ key }) => {
    const row = spend.find((entry) => entry.apiKeyId === key.id);
    return {
      id: key.id,
      label: keyLabel(key),
      period: key.budgetPeriod,
      spentMicrocents: row?.spentMicrocents ?? 0,
      budgetMicrocents: key.budgetUsdCents! * MICROCENTS_PER_CENT,
    };
  });
}
