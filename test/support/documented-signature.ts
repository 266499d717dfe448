/** The task gateway docs' Node.js receiver check, for proving our webhook signatures verify. */
import type { IncomingHttpHeaders } from "node:http";
import type * as NodeCrypto from "node:crypto";
import { createRequire } from "node:module";

/** The snippet is pasted verbatim inside: it throws 'Invalid signature' when the check fails. */
export function verifyAsDocumented(signingSecret: string, rawBody: Buffer, req: { headers: IncomingHttpHeaders }): void {
  const require = createRequire(import.meta.url) as (id: "crypto") => typeof NodeCrypto;
  const crypto = require("crypto");
  const expected = crypto.createHmac("sha256", signingSecret).update(rawBody).digest("hex");

  if (expected !== req.headers["x-signature"]) {
    throw new Error("Invalid signature");
  }
}
