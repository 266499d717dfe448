/**
 * Splits a document into passages along its structure: Markdown and HTML headings start
 * sections, blank lines (or block elements) end paragraphs, and paragraphs are packed into
 * passages of about CHUNK_TARGET_CHARS. Consecutive passages of a section overlap by about
 * CHUNK_OVERLAP_CHARS, so a sentence cut at a boundary is still found whole in one of them.
 */
import type { KnowledgeContentType } from "@/lib/db";
import { htmlToPlainText } from "@/lib/html";

export const CHUNK_TARGET_CHARS = 800;
export const CHUNK_OVERLAP_CHARS = 100;
/** Separates the headings of a passage's heading path, outermost first. */
export const HEADING_SEPARATOR = " › ";

export interface Chunk {
  /** The headings above the passage, joined with HEADING_SEPARATOR; "" before the first heading. */
  heading: string;
  content: string;
}

type Block = { kind: "heading"; level: number; text: string } | { kind: "paragraph"; text: string };

const ATX_HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(```|~~~)/;

function markdownBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let fence: string | null = null;
  const endParagraph = () => {
    const joined = paragraph.join("\n").trim();
    if (joined) blocks.push({ kind: "paragraph", text: joined });
    paragraph = [];
  };
  for (const line of text.split(/\r?\n/)) {
    const fenceMark = FENCE.exec(line)?.[1];
    // A code block is one paragraph: its blank lines and `#` comments are not structure.
    if (fence !== null) {
      paragraph.push(line);
      if (fenceMark === fence) {
        fence = null;
        endParagraph();
      }
      continue;
    }
    if (fenceMark) {
      endParagraph();
      fence = fenceMark;
      paragraph.push(line);
      continue;
    }
    const heading = ATX_HEADING.exec(line);
    if (heading) {
      endParagraph();
      blocks.push({ kind: "heading", level: heading[1]!.length, text: heading[2]!.trim() });
    } else if (line.trim() === "") {
      endParagraph();
    } else {
      paragraph.push(line);
    }
  }
  endParagraph();
  return blocks;
}

/** Marks a heading's text in the plain text of HTML; control characters never survive the input. */
const HEADING_MARK = "\u0001";

function htmlBlocks(html: string): Block[] {
  // Headings are marked before the markup goes: a heading inside <script> goes with the script.
  const marked = html.replaceAll(HEADING_MARK, "").replace(/<h([1-6])\b[^<>]*>/gi, (_, level: string) => `<p>${HEADING_MARK}${level}`);
  return plainBlocks(htmlToPlainText(marked)).map((block): Block => {
    if (!block.text.startsWith(HEADING_MARK)) return block;
    return { kind: "heading", level: Number(block.text[1]), text: block.text.slice(2).replace(/\s+/g, " ").trim() };
  });
}

function plainBlocks(text: string): Block[] {
  return text
    .split(/\r?\n[ \t]*\r?\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== "")
    .map((paragraph) => ({ kind: "paragraph", text: paragraph }));
}

/** Pieces of at most CHUNK_TARGET_CHARS, cut after a sentence or at a space where one is near. */
function splitLong(text: string): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > CHUNK_TARGET_CHARS) {
    const window = rest.slice(0, CHUNK_TARGET_CHARS);
    const sentence = Math.max(window.lastIndexOf(". "), window.lastIndexOf(".\n"));
    const space = window.search(/\s\S*$/);
    const cut = sentence >= CHUNK_TARGET_CHARS / 2 ? sentence + 1 : space >= CHUNK_TARGET_CHARS / 2 ? space : CHUNK_TARGET_CHARS;
    pieces.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** The end of a passage that the next one repeats, starting at a word. */
function tailOf(text: string): string {
  if (text.length <= CHUNK_OVERLAP_CHARS) return text;
  const start = text.length - CHUNK_OVERLAP_CHARS;
  const space = text.slice(start).search(/\s/);
  return text.slice(space === -1 ? start : start + space).trim();
}

function packSection(heading: string, paragraphs: string[], into: Chunk[]): void {
  let current = "";
  let carry = "";
  const flush = () => {
    if (current === "") return;
    into.push({ heading, content: current });
    carry = tailOf(current);
    current = "";
  };
  for (const piece of paragraphs.flatMap(splitLong)) {
    if (current !== "" && current.length + 2 + piece.length > CHUNK_TARGET_CHARS) flush();
    const start = current === "" ? carry : current;
    current = start === "" ? piece : `${start}\n\n${piece}`;
  }
  flush();
}

/** Separates a PDF's pages in its stored text. */
export const PDF_PAGE_SEPARATOR = "\f";

/** Each page of a PDF is a section headed by its number, so a passage cites its page. */
function pdfBlocks(text: string): Block[] {
  return text
    .split(PDF_PAGE_SEPARATOR)
    .flatMap((page, i): Block[] => [{ kind: "heading", level: 1, text: `p. ${i + 1}` }, ...plainBlocks(page)]);
}

function blocksOf(content: string, contentType: KnowledgeContentType): Block[] {
  if (contentType === "text/markdown") return markdownBlocks(content);
  if (contentType === "application/pdf") return pdfBlocks(content);
  if (contentType === "text/html") return htmlBlocks(content);
  return plainBlocks(content);
}

/** A document's passages in reading order, each with the heading path it sits under. */
export function chunkDocument(content: string, contentType: KnowledgeContentType): Chunk[] {
  const chunks: Chunk[] = [];
  const headings: string[] = [];
  let paragraphs: string[] = [];
  const endSection = () => {
    packSection(headings.filter(Boolean).join(HEADING_SEPARATOR), paragraphs, chunks);
    paragraphs = [];
  };
  for (const block of blocksOf(content, contentType)) {
    if (block.kind === "paragraph") {
      paragraphs.push(block.text);
      continue;
    }
    endSection();
    // A heading replaces those of its level and below: `## B` after `## A` under `# Top` is Top › B.
    headings.length = block.level - 1;
    headings[block.level - 1] = block.text;
  }
  endSection();
  return chunks;
}
