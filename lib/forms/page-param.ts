/** Lists in the dashboard show this many rows a page. */
export const PAGE_SIZE = 50;

/** Far enough for any list a person pages through; keeps a forged `?page=` from asking for a huge offset. */
const MAX_PAGE = 10_000;

/** The page a `?page=` parameter asks for (1 when absent or not a page number), with its slice of the list. */
export function pageParam(value: string | string[] | undefined, size = PAGE_SIZE): { page: number; limit: number; offset: number } {
  const raw = Array.isArray(value) ? value[0] : value;
  const parsed = raw && /^\d{1,6}$/.test(raw) ? Number(raw) : 1;
  const page = Math.min(Math.max(parsed, 1), MAX_PAGE);
  return { page, limit: size, offset: (page - 1) * size };
}

/** The Previous / Next links of page `page` of a list at `path` (null at either end). */
export function pageLinks(path: string, page: number, hasMore: boolean): { previous: string | null; next: string | null } {
  return {
    previous: page > 1 ? (page === 2 ? path : `${path}?page=${page - 1}`) : null,
    next: hasMore ? `${path}?page=${page + 1}` : null,
  };
}
