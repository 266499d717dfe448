import { createHmac } from "node:crypto";

/** The X-Signature value: hex HMAC-SHA256 of the exact body bytes sent, keyed with the signing secret. */
export function signBody(secret: string, body: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}
