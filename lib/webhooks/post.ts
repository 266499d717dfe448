import { config } from "@/lib/config";
import { createOutboundGuard } from "@/lib/net";

/** Webhook URLs are user-supplied, like tool URLs: the same guard applies; a refusal fails the attempt. */
const webhookGuard = createOutboundGuard(Error);

export interface PostOutcome {
  status: number;
  retryAfter: string | undefined;
}

/**
 * POSTs `body` as JSON through the outbound guard. Resolves on the response status; the
 * response body is not needed and is discarded unread.
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
      response.destroy();
      resolve({ status: response.statusCode ?? 0, retryAfter });
    });
    request.end(body);
  });
}

/** Retry-After as a delay in ms: either delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
