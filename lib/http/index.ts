export { readJsonBody, parseInput, MAX_BODY_BYTES } from "./body";
export { apiRoute, renderConduitError, CLIENT_IP_HEADER, RECEIVED_AT_HEADER } from "./route";
export type { RequestContext, ErrorRenderer } from "./route";
export { RequestTiming } from "./timing";
export { streamResponse, STREAM_HEADERS, type StreamEncoding } from "./stream";
