import { MASKED_HEADER_VALUE } from "@/lib/contracts/tool-configs";
import { decryptSecret, encryptSecret } from "@/lib/crypto";

/*
 * Tool headers carry credentials (Authorization, API keys), so they are kept like provider keys:
 * each value encrypted at rest, and never returned by the API, where only the names show, each
 * with a mask. Sending the mask back as a value keeps the stored one.
 */

/** Marks a sealed value; values without it are plaintext from before headers were encrypted. */
const SEALED_PREFIX = "enc:";

export type Headers = Record<string, string>;

/** Encrypts each value; a masked value, or a header left out by an update that sends none, keeps the stored one. */
export function sealHeaders(given: Headers | undefined, stored: Headers | undefined): Headers | undefined {
  if (given === undefined) return stored;
  return Object.fromEntries(
    Object.entries(given).map(([name, value]) => {
      const kept = value === MASKED_HEADER_VALUE ? stored?.[name] : undefined;
      return [name, kept ?? SEALED_PREFIX + encryptSecret(value)];
    }),
  );
}

/** The values to send: sealed ones decrypted, plaintext ones (older rows) as they are. */
export function openHeaders(stored: Headers | undefined): Headers | undefined {
  if (stored === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(stored).map(([name, value]) => [
      name,
      value.startsWith(SEALED_PREFIX) ? decryptSecret(value.slice(SEALED_PREFIX.length)) : value,
    ]),
  );
}

/** The header names, each with the mask: what every API response shows. */
export function maskHeaders(stored: Headers | undefined): Record<string, typeof MASKED_HEADER_VALUE> | undefined {
  if (stored === undefined) return undefined;
  return Object.fromEntries(Object.keys(stored).map((name) => [name, MASKED_HEADER_VALUE]));
}
