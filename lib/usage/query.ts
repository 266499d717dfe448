import { z } from "zod";
import { UUID_PATTERN } from "@/lib/db";

export const USAGE_PERIODS = [7, 30, 90] as const;
export type UsagePeriod = (typeof USAGE_PERIODS)[number];

/** An id filter from a URL: anything but a UUID means no filter, so a stale link still shows a page. */
const optionalId = z
  .string()
  .optional()
  .transform((value) => (value && UUID_PATTERN.test(value) ? value : undefined));

/** What the usage page and its CSV export read from the query string; bad values fall back to defaults. */
export const UsageQuery = z.object({
  days: z
    .string()
    .optional()
    .transform((value): UsagePeriod => USAGE_PERIODS.find((days) => String(days) === value) ?? 30),
  agent: optionalId,
  key: optionalId,
});
export type UsageQuery = z.output<typeof UsageQuery>;

/** Parses a page's searchParams or a request's URLSearchParams (the first value of a repeated one). */
export function parseUsageQuery(params: URLSearchParams | Record<string, string | string[] | undefined>): UsageQuery {
  const get = (name: string) => {
    if (params instanceof URLSearchParams) return params.get(name) ?? undefined;
    const value = params[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return UsageQuery.parse({ days: get("days"), agent: get("agent"), key: get("key") });
}

/** Who may read usage and export it: every member of the organisation. */
export const USAGE_ROLES = ["owner", "admin", "member"] as const;
