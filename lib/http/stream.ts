import { ApiError, toApiError } from "@/lib/errors";

/** Headers that keep proxies (nginx, CDNs) from buffering or transforming a stream. */
export const STREAM_HEADERS = {
  "Cache-Control": "no-cache, no-transform",
  "X-Accel-Buffering": "no",
} as const;

export interface StreamEncoding<E> {
  contentType: string;
  encode: (event: E) => string;
  /** An error after the stream began is still written in the stream's own format. */
  encodeError: (error: ApiError) => string;
  /** Written once after the last event, or after the error event (e.g. SSE's `data: [DONE]`). */
  end?: string;
}

/**
 * Turns an already-started event stream into a streaming Response. Each event is flushed as
 * it arrives; a client that disconnects cancels the stream, which aborts the upstream call.
 */
export function streamResponse<E>(
  events: { first: E; rest: AsyncGenerator<E, void> },
  encoding: StreamEncoding<E>,
  options: { requestId: string; headers?: Record<string, string>; abort: () => void },
): Response {
  const encoder = new TextEncoder();
  const { rest } = events;
  let pendingFirst: E | undefined = events.first;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (pendingFirst !== undefined) {
          controller.enqueue(encoder.encode(encoding.encode(pendingFirst)));
          pendingFirst = undefined;
          return;
        }
        const next = await rest.next();
        if (next.done) {
          if (encoding.end) controller.enqueue(encoder.encode(encoding.end));
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(encoding.encode(next.value)));
      } catch (error) {
        controller.enqueue(encoder.encode(encoding.encodeError(toApiError(error, options.requestId))));
        // A failed stream still ends like any other: SSE clients read until `data: [DONE]`.
        if (encoding.end) controller.enqueue(encoder.encode(encoding.end));
        controller.close();
      }
    },
    async cancel() {
      options.abort();
      await rest.return(undefined).catch(() => undefined);
    },
  });
  return new Response(body, {
    headers: { "Content-Type": encoding.contentType, ...STREAM_HEADERS, ...options.headers },
  });
}
