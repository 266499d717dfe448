import type { ComponentProps } from "react";
import { Badge } from "@/components/ui/badge";
import type { GateThreadSummaryResponse } from "@/lib/contracts";

type Tone = ComponentProps<typeof Badge>["tone"];
type Status = GateThreadSummaryResponse["status"];

const STATUS: Record<Status, { label: string; tone: Tone }> = {
  needs_review: { label: "Needs review", tone: "neutral" },
  escalated: { label: "Escalated", tone: "warn" },
  approved: { label: "Approved", tone: "good" },
  rejected: { label: "Rejected", tone: "bad" },
};

export const STATUS_LABELS = Object.fromEntries(Object.entries(STATUS).map(([status, { label }]) => [status, label])) as Record<
  Status,
  string
>;

export function StatusBadge({ status }: { status: Status }) {
  const { label, tone } = STATUS[status];
  return <Badge tone={tone}>{label}</Badge>;
}

const RISK_TONE: Record<string, Tone> = { critical: "bad", high: "bad", medium: "warn", low: "neutral" };

/** The risk the agent declared; agents may leave it out. */
export function RiskBadge({ risk }: { risk: string | null }) {
  if (!risk) return <span className="text-text-muted">—</span>;
  return <Badge tone={RISK_TONE[risk] ?? "neutral"}>{`${risk[0]!.toUpperCase()}${risk.slice(1)} risk`}</Badge>;
}

/** Times in UTC, so every reviewer reads the same value whatever the server's zone. */
export function Time({ iso }: { iso: string }) {
  return <time dateTime={iso}>{`${iso.slice(0, 16).replace("T", " ")} UTC`}</time>;
}
