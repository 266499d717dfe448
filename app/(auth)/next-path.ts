/**
 * Where to go after signing in or out, from a form or query: only this site's dashboard or an
 * invitation page, so a crafted link cannot send a user elsewhere.
 */
export function safeNextPath(value: unknown): string | null {
  if (typeof value !== "string") return null;
  return /^\/(dashboard|invite)(\/[\w\-/]*)?$/.test(value) ? value : null;
}
