import { errors as joseErrors, jwtVerify } from "jose";
import { z } from "zod";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { newSecret } from "@/lib/crypto/secrets";
import type { WidgetKey } from "@/lib/db";
import { ApiError } from "@/lib/errors";

/*
 * Identified visitors: the customer's backend signs who is signed in on their site (a JWT, HS256,
 * with the widget key's identity secret) and the widget passes that token on. The secret is
 * encrypted rather than hashed, since Conduit verifies signatures made with it.
 */

const IDENTITY_SECRET_PREFIX = "wis_";
/** A token may be valid for at most this long ahead: a leaked one should not outlive a day. */
const MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;
/** The customer's servers and ours may disagree on the time by a little. */
const CLOCK_TOLERANCE_SECONDS = 30;

/** A new identity secret: the value (shown once), how it is stored, and its first characters. */
export function newIdentitySecret(): { secret: string; ciphertext: string; start: string } {
  const { secret, start } = newSecret(IDENTITY_SECRET_PREFIX);
  return { secret, ciphertext: encryptSecret(secret), start };
}

/** Who the customer's backend says the visitor is. */
export interface VisitorIdentity {
  sub: string;
  name: string | null;
  email: string | null;
}

const IdentityClaims = z.object({
  sub: z.string().trim().min(1, "sub must not be empty").max(200, "sub must be at most 200 characters"),
  name: z.string().trim().max(200, "name must be at most 200 characters").nullish(),
  email: z.string().trim().max(320, "email must be at most 320 characters").nullish(),
  exp: z.number(),
});

const refused = (reason: string) => new ApiError("UNAUTHENTICATED", `Identity token refused: ${reason}`);

/** Why jose refused a token, in words a developer signing tokens can act on. */
function reasonOf(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "it has expired; sign a new one for each page view";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return "its signature does not match the widget key's identity secret (was the secret rotated?)";
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return "it must be signed with HS256";
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return error.reason === "missing" ? `it needs the "${error.claim}" claim` : `its "${error.claim}" claim is invalid`;
  }
  return "it is not a JWT signed with HS256";
}

/**
 * The identity a token signed with the key's identity secret vouches for; a 401 naming the
 * problem for anything else. Never a fallback to an anonymous visitor: a site that identifies
 * its visitors expects each to see only their own conversation.
 */
export async function verifyIdentityToken(key: WidgetKey, token: string): Promise<VisitorIdentity> {
  if (!key.identitySecretCiphertext) {
    throw refused("this widget key has no identity secret yet; an owner or admin creates one by rotating it");
  }
  const secret = new TextEncoder().encode(decryptSecret(key.identitySecretCiphertext));
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, secret, {
      algorithms: ["HS256"],
      requiredClaims: ["sub", "exp"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    }));
  } catch (error) {
    throw refused(reasonOf(error));
  }
  const claims = IdentityClaims.safeParse(payload);
  if (!claims.success) throw refused(claims.error.issues[0]!.message);
  if (claims.data.exp > Date.now() / 1000 + MAX_TOKEN_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS) {
    throw refused("it must expire within 24 hours");
  }
  return { sub: claims.data.sub, name: claims.data.name || null, email: claims.data.email || null };
}
