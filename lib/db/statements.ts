import { sql, type SQL, type SQLWrapper } from "drizzle-orm";

/**
 * Several writes as one statement (data-modifying CTEs): one round trip and one implicit
 * transaction. On the embedded database every statement has a fixed cost near a millisecond,
 * far more than its rows. Foreign keys are checked at the end of the statement, so a write may
 * reference rows an earlier one in the list inserts.
 */
export function oneStatement(writes: SQLWrapper[]): SQL {
  const last = writes.at(-1);
  if (!last) throw new Error("oneStatement needs at least one write");
  if (writes.length === 1) return last.getSQL();
  // getSQL(): a query builder placed in a template directly is wrapped in parentheses, which a CTE's outer statement rejects.
  const earlier = writes.slice(0, -1).map((write, i) => sql`${sql.raw(`write_${i}`)} as (${write.getSQL()})`);
  return sql`with ${sql.join(earlier, sql`, `)} ${last.getSQL()}`;
}
