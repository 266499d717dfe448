import { randomUUID } from "node:crypto";
import { ApiError, toApiError } from "@/lib/errors";
import { RequestTiming } from "./timing";

/** Headers set by Conduit's own HTTP server (server.ts); incoming copies are always replaced. */
export const CLIENT_IP_HEADER = "x-conduit-client-ip";
export const RECEIVED_AT_HEADER = "x-conduit-received-at";

export interface RequestContext {
  requestId: string;
  ip: string;
  timing: RequestTiming;
}

/** How a surface writes its errors; the default is Conduit's `{ error: { code, message } }`. */
export type ErrorRenderer = (error: ApiError, context: RequestContext) => Response;

export const renderConduitError: ErrorRenderer = (error, context) =>
  Response.json(
    {
      error: {
        code: error.code,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
        request_id: context.requestId,
      },
    },
    { status: error.status, headers: error.headers },
  );

type Handler<P> = (request: Request, context: RequestContext, params: P) => Promise<Response>;

/**
 * Wraps a route handler: request id, timing, and one error path. Handlers throw ApiError for
 * anything the caller did wrong; everything else is logged and answered as a generic 500.
 */
export function apiRoute<P = Record<string, never>>(handler: Handler<P>, renderError: ErrorRenderer = renderConduitError) {
  return async (request: Request, segment: { params: Promise<P> }): Promise<Response> => {
    const receivedAt = Number(request.headers.get(RECEIVED_AT_HEADER));
    const context: RequestContext = {
      requestId: randomUUID(),
      ip: request.headers.get(CLIENT_IP_HEADER) ?? "unknown",
      timing: new RequestTiming(Number.isFinite(receivedAt) && receivedAt > 0 ? receivedAt : performance.now()),
    };
    let response: Response;
    try {
      response = await handler(request, context, await segment.params);
    } catch (error) {
      response = renderError(toApiError(error, context.requestId), context);
    }
    response.headers.set("X-Request-Id", context.requestId);
    if (!response.headers.has("Server-Timing")) response.headers.set("Server-Timing", context.timing.header());
    return response;
  };
}
