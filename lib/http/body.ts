import type { z } from "zod";
import { ApiError } from "@/lib/errors";

/** The documented cap on request bodies (Sistava: 64 KB). */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Deepest nesting of arrays and objects a JSON body may have. No request needs more, and far
 * deeper values exhaust the stack of every recursive reader after the parser (validation, JSON columns).
 */
export const MAX_JSON_DEPTH = 64;

function tooLarge(maxBytes: number): ApiError {
  return new ApiError("PAYLOAD_TOO_LARGE", `Request body exceeds ${maxBytes / 1024} KB`);
}

/** Reads at most maxBytes of a body, checking Content-Length first, then counting as it streams. */
export async function readRawBody(request: Request, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads at most maxBytes and parses JSON. An empty body is refused, or read as `{}` with
 * `emptyIsObject` (routes whose every field is optional, so a client may send nothing).
 */
export async function readJsonBody(
  request: Request,
  maxBytes = MAX_BODY_BYTES,
  options: { emptyIsObject?: boolean } = {},
): Promise<unknown> {
  return parseJsonText((await readRawBody(request, maxBytes)).toString("utf8"), options);
}

/** Parses a body's text as JSON, refusing nesting deeper than any request needs. */
export function parseJsonText(text: string, options: { emptyIsObject?: boolean } = {}): unknown {
  if (text.trim() === "") {
    if (options.emptyIsObject) return {};
    throw new ApiError("INVALID_JSON", "Request body is empty; expected a JSON object");
  }
  if (nestingExceeds(text, MAX_JSON_DEPTH))
    throw new ApiError("INVALID_JSON", `JSON in request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : "unparseable";
    throw new ApiError("INVALID_JSON", `Malformed JSON in request body: ${reason}`);
  }
}

const [BACKSLASH, QUOTE, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET] = [...'\\"{}[]'].map((char) => char.charCodeAt(0));

/** Whether JSON text opens more than maxDepth arrays or objects inside each other; brackets in strings do not count. */
function nestingExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === BACKSLASH) i++;
      else if (char === QUOTE) inString = false;
    } else if (char === QUOTE) inString = true;
    else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) depth--;
  }
  return false;
}

/**
 * NUL characters and unpaired UTF-16 surrogates: valid in JSON and URLs, but no PostgreSQL text
 * or JSON column can store them, so they are refused with the rest of the input's problems.
 */
const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Every string (and object key) in a parsed input; refuses the first one PostgreSQL could not store. */
export function assertStorableText(input: unknown, what = "request body"): void {
  const problem = findUnstorableText(input, []);
  if (problem === null) return;
  const where = problem.length > 0 ? problem.join(".") : what;
  const detail = `${where}: must not contain NUL characters or unpaired surrogates`;
  throw new ApiError("VALIDATION_FAILED", `Invalid ${what}: ${detail}`, {
    details: [detail],
    ...(problem.length > 0 ? { param: problem.join(".") } : {}),
  });
}

function findUnstorableText(value: unknown, path: (string | number)[]): (string | number)[] | null {
  if (typeof value === "string") return UNSTORABLE_TEXT.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (UNSTORABLE_TEXT.test(key)) return [...path, JSON.stringify(key)];
      const found = findUnstorableText(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

/** The one validation path: zod issues become a 400 with one readable string per problem. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = "request body"): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join(".") : what;
    return `${where}: ${issue.message}`;
  });
  const firstPath = result.error.issues[0]?.path ?? [];
  throw new ApiError("VALIDATION_FAILED", `Invalid ${what}: ${details.join("; ")}`, {
    details,
    ...(firstPath.length > 0 ? { param: firstPath.map(String).join(".") } : {}),
  });
}
