import { Badge } from "@/components/ui/badge";
import type { MemberRole } from "@/lib/accounts";

/** Whether a member's role is among an API route's roles (the actions check the same lists on the server). */
export const holds = (roles: readonly MemberRole[], role: MemberRole) => roles.includes(role);

/** The endpoint's state: active, disabled by a member, or disabled by Conduit (with why). */
export function EndpointStatus({ enabled, reason }: { enabled: boolean; reason: string | null }) {
  if (enabled) return <Badge tone="good">Active</Badge>;
  return <Badge tone={reason ? "bad" : "neutral"}>{reason ? "Disabled by Conduit" : "Disabled"}</Badge>;
}

export function DeliveryStatus({ status }: { status: "pending" | "delivered" | "failed" }) {
  if (status === "delivered") return <Badge tone="good">Delivered</Badge>;
  if (status === "failed") return <Badge tone="bad">Failed</Badge>;
  return <Badge tone="warn">Pending</Badge>;
}

export const eventsText = (types: readonly string[] | null) => (types === null ? "Every event" : types.join(", "));
