import NextAuth from "next-auth";
import { baseSessionConfig } from "@/lib/session/config";

/**
 * Sends visitors without a session from dashboard pages to sign-in. Pages check the member and
 * role again on the server; this only saves a render. `/api/*` never passes through here: the
 * proxy would buffer request bodies, and webhook signatures need the raw bytes.
 */
const { auth } = NextAuth(() => baseSessionConfig());

export { auth as proxy };

export const config = { matcher: ["/dashboard", "/dashboard/:path*"] };
