/**
 * Reads a document upload: JSON (`{path, content, content_type}`) or multipart (`file`, with an
 * optional `path` and `content_type`). Bodies are read up to a cap above the document size
 * limit, and the document itself is measured again once decoded. A PDF file is read for its text.
 */
import { CreateDocumentRequest, DocumentUpload, knowledgeContentTypes } from "@/lib/agents-api/schemas";
import { config } from "@/lib/config";
import { ApiError } from "@/lib/errors";
import { assertStorableText, parseInput, parseJsonText, readRawBody } from "@/lib/http";
import { assertDocumentSize } from "./documents";
import { isPdf, pdfText } from "./pdf";

/** Room for JSON escapes and multipart framing around the document's own bytes. */
const envelopeBytes = (documentBytes: number) => documentBytes * 2 + 64 * 1024;

const PDF_TYPE = "application/pdf";

const EXTENSION_TYPES: Record<string, string> = {
  md: "text/markdown",
  markdown: "text/markdown",
  html: "text/html",
  htm: "text/html",
  txt: "text/plain",
  pdf: PDF_TYPE,
};

function contentTypeOf(declared: string | null, fileType: string, fileName: string): string {
  if (declared) return declared;
  const bare = fileType.split(";")[0]!.trim().toLowerCase();
  if ((knowledgeContentTypes as readonly string[]).includes(bare) || bare === PDF_TYPE) return bare;
  return EXTENSION_TYPES[fileName.split(".").pop()?.toLowerCase() ?? ""] ?? "text/plain";
}

/**
 * A file as a document: `path` defaults to the file's name, the type to what the file says of
 * itself (a PDF is recognised by its first bytes too). Used by the API's multipart upload and the
 * dashboard's upload form alike.
 */
export async function documentFromFile(file: File, path: string | null, declaredType: string | null): Promise<DocumentUpload> {
  assertDocumentSize(file.size);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const contentType = contentTypeOf(declaredType, file.type, file.name);
  const input =
    contentType === PDF_TYPE || (declaredType === null && isPdf(bytes))
      ? { path: path || file.name, content: await pdfText(bytes), content_type: PDF_TYPE }
      : { path: path || file.name, content: new TextDecoder().decode(bytes), content_type: contentType };
  assertStorableText(input);
  return parseInput(DocumentUpload, input);
}

async function readMultipart(raw: Buffer, contentType: string): Promise<DocumentUpload> {
  const form = await new Response(new Uint8Array(raw), { headers: { "content-type": contentType } }).formData().catch(() => {
    throw new ApiError("BAD_REQUEST", "The multipart body could not be read");
  });
  const file = form.get("file");
  if (!(file instanceof File)) throw new ApiError("VALIDATION_FAILED", "Invalid request body: file: a file is required", { param: "file" });
  const path = form.get("path");
  const declaredType = form.get("content_type");
  return documentFromFile(
    file,
    typeof path === "string" ? path : null,
    typeof declaredType === "string" && declaredType !== "" ? declaredType : null,
  );
}

/** A document sent as fields (`path`, `content`, `content_type`): the API's JSON body, the dashboard's pasted text. */
export function documentFromFields(fields: unknown): CreateDocumentRequest {
  assertStorableText(fields);
  return parseInput(CreateDocumentRequest, fields);
}

export async function readDocumentUpload(request: Request): Promise<DocumentUpload> {
  const contentType = request.headers.get("content-type") ?? "";
  const media = contentType.split(";")[0]!.trim().toLowerCase();
  if (media !== "application/json" && media !== "multipart/form-data" && media !== "") {
    throw new ApiError(
      "UNSUPPORTED_MEDIA_TYPE",
      "Send the document as JSON ({path, content, content_type}) or multipart/form-data (file, path); text, Markdown, HTML and PDF files are accepted",
    );
  }
  const raw = await readRawBody(request, envelopeBytes(config().KNOWLEDGE_MAX_DOCUMENT_BYTES));
  if (media === "multipart/form-data") return readMultipart(raw, contentType);
  return documentFromFields(parseJsonText(raw.toString("utf8")));
}
