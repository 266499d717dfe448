import { and, asc, eq, sql } from "drizzle-orm";
import { costMicrocents } from "@/lib/billing";
import { tables, type Db } from "@/lib/db";
import { flushGenerationRecords } from "@/lib/generations";
import { usdFixed } from "./format";
import type { UsageQuery } from "./query";
import { generationConditions, periodSince } from "./report";

/** Rows fetched per read: the export streams, so its memory stays flat however long the period. */
const BATCH = 1_000;

export const USAGE_CSV_HEADER = [
  "created_at",
  "generation_id",
  "trace_id",
  "agent_id",
  "agent_name",
  "api_key",
  "door",
  "model",
  "status",
  "input_tokens",
  "output_tokens",
  "cost_usd",
] as const;

/**
 * One CSV field: quoted when it holds a separator, quote or line break, and a leading = + - @
 * defused, so a name typed by a user cannot run as a formula in a spreadsheet.
 */
function field(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const line = (values: Array<string | number | null>) => values.map(field).join(",") + "\r\n";

export function usageCsvFilename(query: UsageQuery, at: Date = new Date()): string {
  return `conduit-usage-${at.toISOString().slice(0, 10)}-${query.days}d.csv`;
}

/**
 * Every run of the period (with the page's filters) as a CSV row, oldest first, read in batches
 * as the client takes them. Keyset paging on (created_at, id) keeps each read an index range.
 */
export async function usageCsv(db: Db, orgId: string, query: UsageQuery): Promise<ReadableStream<Uint8Array>> {
  await flushGenerationRecords();
  const g = tables.generations;
  const conditions = generationConditions(orgId, query, periodSince(query.days));
  const encoder = new TextEncoder();
  let after: string | null = null;
  let started = false;

  const readBatch = async () => {
    const page = after
      ? [...conditions, sql`(${g.createdAt}, ${g.id}) > (select created_at, id from generations where id = ${after}::uuid)`]
      : conditions;
    return db
      .select({
        id: g.id,
        createdAt: g.createdAt,
        publicId: g.publicId,
        traceId: g.traceId,
        door: g.door,
        model: g.model,
        status: g.status,
        inputTokens: g.inputTokens,
        outputTokens: g.outputTokens,
        agentPublicId: tables.agents.publicId,
        agentName: tables.agents.name,
        keyName: tables.apiKeys.name,
        keyStart: tables.apiKeys.start,
      })
      .from(g)
      .innerJoin(tables.agents, eq(tables.agents.id, g.agentId))
      .leftJoin(tables.apiKeys, eq(tables.apiKeys.id, g.apiKeyId))
      .where(and(...page))
      .orderBy(asc(g.createdAt), asc(g.id))
      .limit(BATCH);
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(line([...USAGE_CSV_HEADER])));
        return;
      }
      const rows = await readBatch();
      if (rows.length > 0) {
        after = rows.at(-1)!.id;
        const text = rows
          .map((row) =>
            line([
              row.createdAt.toISOString(),
              row.publicId,
              row.traceId,
              row.agentPublicId,
              row.agentName,
              row.keyName ? `${row.keyName} (${row.keyStart}…)` : null,
              row.door,
              row.model,
              row.status,
              row.inputTokens,
              row.outputTokens,
              usdFixed(row.model ? costMicrocents(row.model, row) : 0),
            ]),
          )
          .join("");
        controller.enqueue(encoder.encode(text));
      }
      if (rows.length < BATCH) controller.close();
    },
  });
}
