/**
 * A moment as the dashboard shows it, in UTC so the server's rendering is the browser's too; the
 * `<time>` element carries the exact value.
 */
export function DateTime({ value, empty = "—" }: { value: Date | string | null; empty?: string }) {
  if (value === null) return <span className="text-text-muted">{empty}</span>;
  const date = typeof value === "string" ? new Date(value) : value;
  const iso = date.toISOString();
  return <time dateTime={iso}>{`${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`}</time>;
}
