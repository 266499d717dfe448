import { config } from "@/lib/config";
import { createOutboundGuard } from "@/lib/net";

/**
 * Webhook URLs are user-supplied, like tool URLs: the same guard applies; a refusal fails the
 * attempt. Connections are kept for the next delivery: receivers get many small POSTs.
 */
const webhookGuard = createOutboundGuard(Error, { keepAlive: true });

/** How much of a receiver's answer is kept in the attempt log. */
export const RESPONSE_SNIPPET_BYTES = 1024;

export interface PostOutcome {
  status: number;
  retryAfter: string | undefined;
  /** The start of the answer's body, at most RESPONSE_SNIPPET_BYTES (the rest is never read). */
  snippet: string;
}

/**
 * POSTs `body` as JSON through the outbound guard. Redirects are not followed: a 3xx is the
 * outcome like any other status.
 */
export async function postWebhook(url: string, body: string, headers: Record<string, string>): Promise<PostOutcome> {
  const timeoutMs = config().WEBHOOK_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  const lowerCased = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const request = await webhookGuard.request(new URL(url), {
    method: "POST",
    headers: { ...lowerCased, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    signal,
  });
  return new Promise((resolve, reject) => {
    request.on("error", (error) => reject(signal.aborted ? new Error(`No response within ${timeoutMs} ms`) : error));
    request.on("response", (response) => {
      const retryAfter = response.headers["retry-after"];
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        response.destroy();
        const snippet = Buffer.concat(chunks).subarray(0, RESPONSE_SNIPPET_BYTES).toString("utf8");
        resolve({ status: response.statusCode ?? 0, retryAfter, snippet });
      };
      response.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= RESPONSE_SNIPPET_BYTES) finish();
      });
      // A body cut short (timeout, reset) still leaves the status, which is what counts.
      response.on("end", finish);
      response.on("error", finish);
    });
    request.end(body);
  });
}
