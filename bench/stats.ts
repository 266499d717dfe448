/** Percentiles and rounding for benchmark figures. */

export interface Percentiles {
  p50: number;
  p99: number;
}

/** Nearest-rank percentile of already sorted values. */
export function rank(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** p50 and p99, or null when there are no samples (so the JSON says so instead of NaN). */
export function percentiles(values: number[]): Percentiles | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: rank(sorted, 50), p99: rank(sorted, 99) };
}

/** a − b per percentile, when both exist. */
export function difference(a: Percentiles | null, b: Percentiles | null): Percentiles | null {
  return a && b ? { p50: a.p50 - b.p50, p99: a.p99 - b.p99 } : null;
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** The `BENCH_JSON` line's payload, every figure rounded to a readable precision. */
export function benchJson(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) => (typeof field === "number" ? round(field, 3) : field));
}
