import { ApiError } from "@/lib/errors";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * An origin as browsers send it (`scheme://host[:port]`, lower case, default port dropped), or a
 * 400 naming what is wrong: https only, except http on loopback for development; no path,
 * query, fragment or credentials, since an origin has none.
 */
export function normaliseOrigin(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new ApiError("VALIDATION_FAILED", `allowed_origins: "${input}" is not a URL like https://www.example.com`);
  }
  const problem =
    url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname))
      ? "must use https (http only for localhost)"
      : url.username || url.password
        ? "must not carry credentials"
        : (url.pathname !== "/" && url.pathname !== "") || url.search || url.hash
          ? "must be an origin only, without a path, query or fragment"
          : null;
  if (problem) throw new ApiError("VALIDATION_FAILED", `allowed_origins: "${input}" ${problem}`);
  // URL already lower-cases the host and drops the scheme's default port.
  return url.origin;
}

/** Whether a browser-sent origin is one of the allowed (normalised) ones; anything unparseable is not. */
export function originAllowed(origin: string | null | undefined, allowed: readonly string[]): boolean {
  if (!origin) return false;
  try {
    return allowed.includes(normaliseOrigin(origin));
  } catch {
    return false;
  }
}
