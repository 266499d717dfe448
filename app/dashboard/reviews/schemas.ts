import { z } from "zod";
import { OPEN_STATUSES, RISK_LEVELS, ReviewerDecisionRequest, THREAD_STATUSES } from "@/lib/gate/schemas";

/** The decision form: the API's own body, plus the thread it is about. */
export const ReviewDecisionForm = ReviewerDecisionRequest.extend({ thread_id: z.string().min(1).max(100) });

export const INBOX_PAGE_SIZE = 50;

/**
 * The inbox's query string, forgiving as links are: anything unknown falls back to the default
 * (the open threads, any risk, the first page). `open` is both statuses that await a reviewer.
 */
export const InboxQuery = z.object({
  status: z.enum(["open", "all", ...THREAD_STATUSES]).catch("open"),
  risk_level: z.enum(["any", ...RISK_LEVELS]).catch("any"),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});
export type InboxQuery = z.output<typeof InboxQuery>;

/** The statuses listThreads filters by for an inbox query; undefined lists every status. */
export function statusFilter(status: InboxQuery["status"]) {
  if (status === "all") return undefined;
  return status === "open" ? OPEN_STATUSES : status;
}
