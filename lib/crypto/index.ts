import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { config } from "@/lib/config";
import { processSingleton } from "@/lib/runtime/singleton";

/** sha256, hex: how API keys and other bearer secrets are stored. */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/**
 * The key that encrypts provider secrets at rest. Deployments on an external database must set
 * CONDUIT_ENCRYPTION_KEY; the embedded setup keeps a generated key beside its data (mode 0600).
 */
function encryptionKey(): Buffer {
  return processSingleton("crypto:key", () => {
    const { CONDUIT_ENCRYPTION_KEY: configured, DATABASE_URL, dataDir } = config();
    if (configured) {
      const key = Buffer.from(configured, "base64");
      if (key.length !== 32) throw new Error("CONDUIT_ENCRYPTION_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32)");
      return key;
    }
    if (DATABASE_URL) {
      throw new Error("CONDUIT_ENCRYPTION_KEY is required when DATABASE_URL is set (generate one with: openssl rand -base64 32)");
    }
    const file = path.join(dataDir, "encryption.key");
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
    }
    return Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  });
}

/**
 * A 32-byte subkey for one purpose (e.g. "approval-tokens"), derived with HKDF-SHA256 from the
 * encryption key: signing keys come from the same configured secret without reusing the AES key.
 */
export function deriveKey(purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", encryptionKey(), Buffer.alloc(0), `conduit:${purpose}`, 32));
}

/** Checks at start-up that secrets can be encrypted, so a missing key fails loudly, not per request. */
export function assertEncryptionReady(): void {
  encryptionKey();
}

/** AES-256-GCM; output is `v1.<iv>.<tag>.<ciphertext>` in base64url. */
export function encryptSecret(plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", encryptionKey(), iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), body].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
}

export function decryptSecret(sealed: string): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || body === undefined) throw new Error("Unrecognised encrypted secret format");
  const decipher = createDecipheriv("aes-256-gcm", encryptionKey(), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}
