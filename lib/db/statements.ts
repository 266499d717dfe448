import { is, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
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

/** Whether `db` is a transaction: what is written through it commits, or not, with the caller's other writes. */
export function isTransaction(db: Db): boolean {
  // drizzle's is() compares entity kinds, not classes: the app loads drizzle's ESM and CommonJS builds both.
  return is(db, PgTransaction);
}
