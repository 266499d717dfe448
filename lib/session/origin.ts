import { NextRequest } from "next/server";
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

/** The request as Auth.js must see it, at the public origin: it builds its URLs from the request's. */
export function atPublicOrigin(request: NextRequest): NextRequest {
  const { pathname, search } = new URL(request.url);
  return new NextRequest(new URL(`${pathname}${search}`, publicOrigin(request)), request);
}
