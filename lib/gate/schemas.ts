import { z } from "zod";
import type { GateThreadStatus } from "@/lib/db";

/**
 * What reviewers send and filter by, checked with the same schemas in the browser and on the
 * server. This file imports nothing server-only, so client components can use it.
 */

/** From the least to the most risky. */
export const RISK_LEVELS = ["low", "medium", "high", "critical"] as const;
export const riskLevel = z.enum(RISK_LEVELS);

/** Awaiting a reviewer. */
export const OPEN_STATUSES = ["needs_review", "escalated"] as const satisfies readonly GateThreadStatus[];
export const THREAD_STATUSES = [...OPEN_STATUSES, "approved", "rejected"] as const satisfies readonly GateThreadStatus[];

export const ReviewerDecisionRequest = z.object({
  action: z.enum(["approve", "reject", "escalate"]),
  message: z.string().trim().min(1, "Write a message for the agent").max(4000, "At most 4000 characters"),
});
