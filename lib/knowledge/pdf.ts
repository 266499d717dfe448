/**
 * The text of an uploaded PDF, page by page, through unpdf (PDF.js built for servers: no native
 * code, no canvas). Only text is read; a PDF whose pages hold no text (a scan) is refused rather
 * than stored empty.
 */
import { extractText, getDocumentProxy } from "unpdf";
import { config } from "@/lib/config";
import { ApiError } from "@/lib/errors";
import { PDF_PAGE_SEPARATOR } from "./chunker";

const PDF_MAGIC = "%PDF-";

export const isPdf = (bytes: Uint8Array): boolean => Buffer.from(bytes.subarray(0, PDF_MAGIC.length)).toString("latin1") === PDF_MAGIC;

/** PDF.js names its failures by class; a password is the one the uploader can do something about. */
function refusalOf(error: unknown): ApiError {
  if (error instanceof Error && error.name === "PasswordException") {
    return new ApiError("VALIDATION_ERROR", "The PDF is password-protected; upload a copy without a password");
  }
  return new ApiError("VALIDATION_ERROR", "The PDF could not be read; it may be damaged or not a PDF", { cause: error });
}

/** The PDF's text: its pages' text joined by PDF_PAGE_SEPARATOR, so passages keep their page numbers. */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  const maxPages = config().KNOWLEDGE_MAX_PDF_PAGES;
  let pages: string[];
  try {
    // PDF.js takes ownership of the buffer it is given; a copy keeps the caller's intact.
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
    try {
      if (pdf.numPages > maxPages) {
        throw new ApiError("VALIDATION_ERROR", `The PDF has ${pdf.numPages} pages; at most ${maxPages} are read`);
      }
      pages = (await extractText(pdf, { mergePages: false })).text;
    } finally {
      await pdf.destroy();
    }
  } catch (error) {
    throw error instanceof ApiError ? error : refusalOf(error);
  }
  // The separator (and NUL, which text columns refuse) must not come from the pages themselves.
  const cleaned = pages.map((page) => page.replaceAll(PDF_PAGE_SEPARATOR, "\n").replaceAll("\u0000", "").trim());
  if (cleaned.every((page) => page === "")) {
    throw new ApiError("VALIDATION_ERROR", "The PDF has no text to read (a scanned PDF needs text recognition first)");
  }
  return cleaned.join(PDF_PAGE_SEPARATOR);
}
