/**
 * Reads a document upload: JSON (`{path, content, content_type}`) or multipart (`file`, with an
 * optional `path` and `content_type`). Bodies are read up to a cap above the document size
 * limit, and the document itself is measured again once decoded.
 */
import { CreateDocumentRequest, knowledgeContentTypes } from "@/lib/agents-api/schemas";
import { config } from "@/lib/config";
import type { KnowledgeContentType } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { assertStorableText, parseInput, parseJsonText, readRawBody } from "@/lib/http";
import { assertDocumentSize } from "./documents";

/** Room for JSON escapes and multipart framing around the document's own bytes. */
const envelopeBytes = (documentBytes: number) => documentBytes * 2 + 64 * 1024;

const EXTENSION_TYPES: Record<string, KnowledgeContentType> = {
  md: "text/markdown",
  markdown: "text/markdown",
  html: "text/html",
  htm: "text/html",
  txt: "text/plain",
};

function contentTypeOf(declared: string | null, fileType: string, fileName: string): string {
  if (declared) return declared;
  const bare = fileType.split(";")[0]!.trim().toLowerCase();
  if ((knowledgeContentTypes as readonly string[]).includes(bare)) return bare;
  return EXTENSION_TYPES[fileName.split(".").pop()?.toLowerCase() ?? ""] ?? "text/plain";
}

async function readMultipart(raw: Buffer, contentType: string): Promise<unknown> {
  const form = await new Response(new Uint8Array(raw), { headers: { "content-type": contentType } }).formData().catch(() => {
    throw new ApiError("BAD_REQUEST", "The multipart body could not be read");
  });
  const file = form.get("file");
  if (!(file instanceof File)) throw new ApiError("VALIDATION_FAILED", "Invalid request body: file: a file is required", { param: "file" });
  assertDocumentSize(file.size);
  const path = form.get("path");
  const declaredType = form.get("content_type");
  return {
    path: typeof path === "string" && path !== "" ? path : file.name,
    content: await file.text(),
    content_type: contentTypeOf(typeof declaredType === "string" ? declaredType : null, file.type, file.name),
  };
}

export async function readDocumentUpload(request: Request): Promise<CreateDocumentRequest> {
  const contentType = request.headers.get("content-type") ?? "";
  const media = contentType.split(";")[0]!.trim().toLowerCase();
  if (media !== "application/json" && media !== "multipart/form-data" && media !== "") {
    throw new ApiError(
      "UNSUPPORTED_MEDIA_TYPE",
      "Send the document as JSON ({path, content, content_type}) or multipart/form-data (file, path); text, Markdown and HTML are accepted",
    );
  }
  const raw = await readRawBody(request, envelopeBytes(config().KNOWLEDGE_MAX_DOCUMENT_BYTES));
  const input = media === "multipart/form-data" ? await readMultipart(raw, contentType) : parseJsonText(raw.toString("utf8"));
  assertStorableText(input);
  return parseInput(CreateDocumentRequest, input);
}
