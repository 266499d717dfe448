import { AuthError, type NextAuthConfig } from "next-auth";
import { config } from "@/lib/config";
import { deriveKey } from "@/lib/crypto";

/** Dashboard sessions last a working week; the cookie is refreshed while in use. */
const SESSION_MAX_AGE_S = 7 * 24 * 60 * 60;

/**
 * The part of the session setup that needs no database: the proxy checks the session cookie
 * with it, the sign-in route adds the providers. Built per request (not at import), so a
 * build never touches secrets.
 */
export function baseSessionConfig(): NextAuthConfig {
  return {
    // Self-hosted behind any host name; the host header decides the callback URLs.
    trustHost: true,
    secret: config().AUTH_SECRET ?? deriveKey("dashboard-sessions").toString("base64url"),
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
    pages: { signIn: "/sign-in" },
    providers: [],
    callbacks: {
      authorized: ({ auth }) => Boolean(auth?.user),
    },
    logger: {
      // A wrong password is an expected outcome, not an error with a stack trace.
      error: (error) => {
        if (error instanceof AuthError && (error.type === "CredentialsSignin" || error.type === "AccessDenied")) return;
        console.error(`[auth] ${error.name}: ${error.message}`);
      },
    },
  };
}
