/**
 * A query string as a plain object for schema validation. A name given more than once becomes
 * an array, so a schema expecting one value refuses it instead of silently keeping one.
 */
export function queryObject(url: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URL(url).searchParams) {
    const seen = query[name];
    query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return query;
}
