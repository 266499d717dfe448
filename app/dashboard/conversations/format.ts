import { CHANNEL_LABELS } from "@/lib/channels/labels";
import { CHANNEL_TYPES, type ChannelType } from "@/lib/channels/types";

/** Times in UTC, the way every date filter on these pages reads them. */
export function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")}`;
}

export function statusTone(status: string): "good" | "warn" | "bad" | "neutral" {
  if (status === "completed") return "good";
  if (status === "failed") return "bad";
  if (status === "aborted" || status === "requires_action" || status === "running") return "warn";
  return "neutral";
}

const isChannel = (door: string): door is ChannelType => (CHANNEL_TYPES as readonly string[]).includes(door);

/** A door as people name it: channels by their product's name (WhatsApp, Email…); the API's doors by their own names. */
export function doorLabel(door: string): string {
  return isChannel(door) ? CHANNEL_LABELS[door] : door;
}
