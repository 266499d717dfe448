import { config } from "@/lib/config";

/**
 * The origin the browser reached Conduit at: PUBLIC_URL when set, else the Host header (and,
 * behind trusted proxies, the forwarded protocol). Next fills request URLs with its own bind
 * address (`http://localhost:PORT`), which is wrong for redirects and callback URLs.
 */
export function publicOrigin(request: Request): string {
  const { PUBLIC_URL, TRUST_PROXY_HOPS } = config();
  if (PUBLIC_URL) return new URL(PUBLIC_URL).origin;
  const url = new URL(request.url);
  const forwardedProto = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  const scheme = TRUST_PROXY_HOPS > 0 && (forwardedProto === "https" || forwardedProto === "http") ? `${forwardedProto}:` : url.protocol;
  const host = request.headers.get("host");
  return host ? `${scheme}//${host}` : url.origin;
}

/**
 * The origin of the web page that sent this request, when that page is not one of Conduit's own;
 * null for servers (they send no `Origin`) and for Conduit's pages and widget iframe, whichever
 * of Conduit's host names they were loaded from. Browsers set `Origin` and `Host` themselves and
 * scripts cannot change them, so a page cannot pass for a server or for Conduit.
 */
export function foreignPageOrigin(request: Request): string | null {
  const origin = request.headers.get("origin");
  if (origin === null || origin === publicOrigin(request)) return null;
  return URL.canParse(origin) && new URL(origin).host === request.headers.get("host") ? null : origin;
}
