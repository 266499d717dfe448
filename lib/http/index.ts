export { readJsonBody, readRawBody, parseJsonText, parseInput, assertStorableText, MAX_BODY_BYTES, MAX_JSON_DEPTH } from "./body";
export { requestContext, CLIENT_IP_HEADER, RECEIVED_AT_HEADER, type RequestContext } from "./context";
export { queryObject } from "./query";
export { RequestTiming } from "./timing";
export { streamResponse, STREAM_HEADERS, type StreamEncoding } from "./stream";
export { integerField, INTEGER_COLUMN_MAX } from "./fields";
export { foreignPageOrigin, publicOrigin } from "./origin";
