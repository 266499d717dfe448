import { Badge } from "@/components/ui/badge";
import type { KeyStatus } from "@/lib/keys/manage";

const TONES = { active: "good", revoked: "bad", expired: "warn" } as const;

export function StatusBadge({ status }: { status: KeyStatus }) {
  return <Badge tone={TONES[status]}>{status[0]!.toUpperCase() + status.slice(1)}</Badge>;
}
