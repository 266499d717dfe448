import { Badge } from "@/components/ui/badge";
import type { AutomationRunStatus, AutomationStepStatus } from "@/lib/db";

const TONES = {
  queued: "neutral",
  running: "neutral",
  waiting: "warn",
  succeeded: "good",
  failed: "bad",
  skipped: "neutral",
} as const;

/** A run's or step's status as a badge. */
export function StatusBadge({ status }: { status: AutomationRunStatus | AutomationStepStatus }) {
  return <Badge tone={TONES[status]}>{status}</Badge>;
}
