import type { z } from "zod";
import { ApiError } from "@/lib/errors";

/** The documented cap on request bodies (Sistava: 64 KB). */
export const MAX_BODY_BYTES = 64 * 1024;

function tooLarge(maxBytes: number): ApiError {
  return new ApiError("PAYLOAD_TOO_LARGE", `Request body exceeds ${maxBytes / 1024} KB`);
}

/** Reads at most maxBytes (checking Content-Length first, then counting as it streams) and parses JSON. */
export async function readJsonBody(request: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) throw new ApiError("INVALID_JSON", "Request body is empty; expected a JSON object");

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
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw new ApiError("INVALID_JSON", "Request body is empty; expected a JSON object");
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : "unparseable";
    throw new ApiError("INVALID_JSON", `Malformed JSON in request body: ${reason}`);
  }
}

/** The one validation path: zod issues become a 400 with one readable string per problem. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = "request body"): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join(".") : what;
    return `${where}: ${issue.message}`;
  });
  throw new ApiError("VALIDATION_FAILED", `Invalid ${what}: ${details.join("; ")}`, { details });
}
