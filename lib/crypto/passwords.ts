import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/**
 * Password hashes in the PHC string format, `$scrypt$ln=17,r=8,p=1$<salt>$<hash>` (base64url),
 * so the cost parameters travel with each hash and can be raised later: a hash made with weaker
 * parameters still verifies, and `needsRehash` tells sign-in to upgrade it.
 */
interface ScryptParams {
  ln: number;
  r: number;
  p: number;
}

/** OWASP's scrypt minimum (N = 2^17, r = 8, p = 1): about half a second per hash on one core. */
const CURRENT: ScryptParams = { ln: 17, r: 8, p: 1 };
/** Hashes written before parameters were recorded (`scrypt$<salt>$<hash>`): Node's defaults. */
const LEGACY: ScryptParams = { ln: 14, r: 8, p: 1 };
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, keyBytes: number, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.ln;
  // Node refuses more than 32 MB by default; N = 2^17, r = 8 needs 128 MB.
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, keyBytes, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

function parse(stored: string): ParsedHash | null {
  const phc = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
  if (phc) {
    const [, ln, r, p, salt, hash] = phc;
    return {
      params: { ln: Number(ln), r: Number(r), p: Number(p) },
      salt: Buffer.from(salt!, "base64url"),
      hash: Buffer.from(hash!, "base64url"),
    };
  }
  const legacy = /^scrypt\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
  if (legacy) return { params: LEGACY, salt: Buffer.from(legacy[1]!, "base64url"), hash: Buffer.from(legacy[2]!, "base64url") };
  return null;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, KEY_BYTES, CURRENT);
  return `$scrypt$ln=${CURRENT.ln},r=${CURRENT.r},p=${CURRENT.p}$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed || parsed.hash.length === 0) return false;
  const actual = await derive(password, parsed.salt, parsed.hash.length, parsed.params);
  return timingSafeEqual(actual, parsed.hash);
}

/** True when a stored hash was made with weaker parameters than today's. */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.params.ln < CURRENT.ln || parsed.params.r < CURRENT.r || parsed.params.p < CURRENT.p;
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as checking a real password, for an email that has no account: the
 * response time must not reveal which emails are registered.
 */
export async function spendVerificationTime(password: string): Promise<void> {
  dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
  await verifyPassword(password, await dummyHash);
}
