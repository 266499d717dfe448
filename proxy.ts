import { NextResponse, type NextRequest } from "next/server";
import { publicOrigin } from "@/lib/http/origin";

/** Auth.js's session cookie, plain over HTTP and `__Secure-` prefixed over HTTPS. */
const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];

/**
 * Sends visitors without a session cookie from dashboard pages to sign-in. It only reads the
 * cookie: pages and actions verify the session and the member's role themselves, so this merely
 * saves a render. It never writes one either (Auth.js's own proxy renews the cookie on every
 * request, and a prefetch still in flight at sign-out would put it back). `/api/*` never passes
 * through here: the proxy would buffer request bodies, and webhook signatures need the raw bytes.
 */
export function proxy(request: NextRequest): NextResponse {
  const hasSession = SESSION_COOKIES.some((name) => request.cookies.has(name) || request.cookies.has(`${name}.0`));
  if (hasSession) return NextResponse.next();
  const signIn = new URL("/sign-in", publicOrigin(request));
  signIn.searchParams.set("next", request.nextUrl.pathname);
  return NextResponse.redirect(signIn);
}

export const config = { matcher: ["/dashboard", "/dashboard/:path*"] };
