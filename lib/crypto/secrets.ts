import { BASE58, randomString } from "@/lib/db/ids";
import { sha256Hex } from "./index";

const BODY_LENGTH = 32; // base58: ~187 bits of entropy
const VISIBLE_START = 4;

/**
 * A bearer credential (API key, personal access token, gate key): a readable prefix and random
 * base58. Only `hash` is stored, with `start` to recognise the secret in lists.
 */
export function newSecret(prefix: string): { secret: string; hash: string; start: string } {
  const secret = prefix + randomString(BODY_LENGTH, BASE58);
  return { secret, hash: sha256Hex(secret), start: secret.slice(0, prefix.length + VISIBLE_START) };
}

/** Whether a presented string can be a secret of this kind at all (no lookup needed if not). */
export function secretShape(prefix: string): RegExp {
  return new RegExp(`^${prefix}[${BASE58}]{${BODY_LENGTH}}$`);
}
