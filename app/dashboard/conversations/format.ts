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
