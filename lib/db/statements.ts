import { getTableColumns, sql, type Column, type SQL, type SQLWrapper } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Db } from "./client";

/** A write that later writes of the same statement read by name (`select … from released`). */
export interface NamedWrite {
  name: string;
  write: SQLWrapper;
}

/**
 * Several writes as one statement (data-modifying CTEs): one round trip and one implicit
 * transaction, so all or none of them happen. On the embedded database every statement has a
 * fixed cost near a millisecond, far more than its rows. Foreign keys are checked at the end of
 * the statement, so a write may reference rows an earlier one in the list inserts.
 */
export function oneStatement(writes: Array<SQLWrapper | NamedWrite>): SQL {
  // getSQL(): a query builder placed in a template directly is wrapped in parentheses, which a CTE's outer statement rejects.
  const named = writes.map((write, i) => ("name" in write ? write : { name: `write_${i}`, write }));
  const last = named.pop();
  if (!last) throw new Error("oneStatement needs at least one write");
  if (named.length === 0) return last.write.getSQL();
  const earlier = named.map(({ name, write }) => sql`${sql.identifier(name)} as (${write.getSQL()})`);
  return sql`with ${sql.join(earlier, sql`, `)} ${last.write.getSQL()}`;
}

/** The rows a raw statement returned: every driver Conduit runs on (PGlite, node-postgres, Neon) answers `{ rows }`. */
export async function rowsOf<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as { rows: T[] };
  return result.rows;
}

type InsertRow<T extends PgTable> = T["$inferInsert"];

/** JSON and JSONB values travel as themselves; every other value as its driver form. */
function jsonValue(column: Column, value: unknown): unknown {
  if (value === null || column.columnType === "PgJsonb" || column.columnType === "PgJson") return value;
  return column.mapToDriverValue(value);
}

/**
 * Inserts rows that are already stored skipped, as writes for oneStatement: the rows travel as
 * one JSON parameter read by `jsonb_populate_recordset`, not as one parameter per value. Building
 * and parsing a statement of hundreds of parameters costs more than the rows themselves. Rows
 * that leave different columns out go in separate writes, so each gets its columns' defaults.
 */
export function insertRowsAsJson<T extends PgTable>(table: T, rows: Array<InsertRow<T>>): SQL[] {
  const columns = getTableColumns(table) as Record<string, Column>;
  const shapes = new Map<string, { names: string[]; rows: Array<Record<string, unknown>> }>();
  for (const row of rows) {
    const fields = Object.entries(row as Record<string, unknown>).filter(([field, value]) => value !== undefined && field in columns);
    const signature = fields.map(([field]) => field).join(",");
    let shape = shapes.get(signature);
    if (!shape) {
      shape = { names: fields.map(([field]) => columns[field]!.name), rows: [] };
      shapes.set(signature, shape);
    }
    shape.rows.push(Object.fromEntries(fields.map(([field, value]) => [columns[field]!.name, jsonValue(columns[field]!, value)])));
  }
  return [...shapes.values()].map(({ names, rows: shaped }) => {
    const list = sql.join(
      names.map((name) => sql.identifier(name)),
      sql`, `,
    );
    return sql`insert into ${table} (${list}) select ${list} from jsonb_populate_recordset(null::${table}, ${JSON.stringify(shaped)}::jsonb) on conflict do nothing`;
  });
}
