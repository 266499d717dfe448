import { NextRequest } from "next/server";
import { config } from "@/lib/config";

/**
 * Auth.js builds its callback and redirect URLs from the request's URL, and Next fills that with
 * its own bind address (`http://localhost:PORT`), not the address the browser used. Rebased on
 * PUBLIC_URL when set, else on the Host header (and, behind trusted proxies, the forwarded
 * protocol), so sign-in works at whatever address Conduit is reached.
 */
export function atPublicOrigin(request: NextRequest): NextRequest {
  const { PUBLIC_URL, TRUST_PROXY_HOPS } = config();
  const { pathname, search, protocol } = new URL(request.url);
  let origin = PUBLIC_URL ? new URL(PUBLIC_URL).origin : null;
  if (!origin) {
    const forwardedProto = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
    const scheme = TRUST_PROXY_HOPS > 0 && (forwardedProto === "https" || forwardedProto === "http") ? `${forwardedProto}:` : protocol;
    const host = request.headers.get("host");
    origin = host ? `${scheme}//${host}` : new URL(request.url).origin;
  }
  return new NextRequest(new URL(`${pathname}${search}`, origin), request);
}
