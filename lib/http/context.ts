import { randomUUID } from "node:crypto";
import { RequestTiming } from "./timing";

/** Headers set by Conduit's own HTTP server (web-process.ts); incoming copies are always replaced. */
export const CLIENT_IP_HEADER = "x-conduit-client-ip";
export const RECEIVED_AT_HEADER = "x-conduit-received-at";

export interface RequestContext {
  requestId: string;
  ip: string;
  timing: RequestTiming;
}

/** A fresh request id, the caller's address as web-process.ts saw it, and timing from arrival. */
export function requestContext(request: Request): RequestContext {
  const receivedAt = Number(request.headers.get(RECEIVED_AT_HEADER));
  return {
    requestId: randomUUID(),
    ip: request.headers.get(CLIENT_IP_HEADER) ?? "unknown",
    timing: new RequestTiming(Number.isFinite(receivedAt) && receivedAt > 0 ? receivedAt : performance.now()),
  };
}
