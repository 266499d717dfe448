import { authenticateApiKey } from "@/lib/auth";
import type { StreamEncoding } from "@/lib/http";
import { openAiEnvelope, openAiErrorBody } from "./envelopes";
import { defineSurface } from "./surface";

/**
 * The OpenAI-compatible API: agents as models for OpenAI's clients and the tools built on them.
 * A Conduit API key is the client's `apiKey`, with the same rate limits as Conduit's own API;
 * errors take OpenAI's envelope, unknown paths under the prefix included.
 */
export const openAi = defineSurface({
  prefixes: ["/api/openai"],
  renderError: openAiEnvelope,
  authenticate: authenticateApiKey,
  rateLimitHeaders: (auth) => auth.rateLimitHeaders,
});

/**
 * OpenAI's server-sent events: `data: {…}` events ending `data: [DONE]`. An error after the
 * stream began is an event in OpenAI's envelope, which its clients raise as an API error.
 */
export const openAiEventStream = <E>(encode: (event: E) => string): StreamEncoding<E> => ({
  contentType: "text/event-stream; charset=utf-8",
  encode,
  encodeError: (error) => `data: ${JSON.stringify(openAiErrorBody(error))}\n\n`,
  end: "data: [DONE]\n\n",
});
