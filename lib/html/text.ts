/**
 * Plain text from HTML (an email body without a text part, an uploaded document). Written for hostile
 * input: every pass is linear in the length of the markup.
 */

/** Elements whose content is not text a reader sees, with how each one ends. */
const HIDDEN_ELEMENTS: ReadonlyArray<readonly [open: string, close: string]> = [
  ["<!--", "-->"],
  ["<script", "</script"],
  ["<style", "</style"],
  ["<title", "</title"],
];

const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** The markup without hidden elements; an unclosed one hides the rest, as a browser would. */
function withoutHiddenElements(html: string): string {
  const lower = html.toLowerCase();
  // Each opening's next position is searched for only once it has been passed: one scan overall.
  const nextOpen = HIDDEN_ELEMENTS.map(([open]) => lower.indexOf(open));
  let visible = "";
  let position = 0;
  for (;;) {
    let found = -1;
    for (const [index, [open]] of HIDDEN_ELEMENTS.entries()) {
      let at = nextOpen[index] ?? -1;
      if (at !== -1 && at < position) at = nextOpen[index] = lower.indexOf(open, position);
      if (at !== -1 && (found === -1 || at < (nextOpen[found] ?? -1))) found = index;
    }
    if (found === -1) return visible + html.slice(position);
    const start = nextOpen[found] ?? position;
    visible += `${html.slice(position, start)} `;
    const close = HIDDEN_ELEMENTS[found]?.[1] ?? "";
    const closeAt = lower.indexOf(close, start);
    if (closeAt === -1) return visible;
    const end = close === "-->" ? closeAt + close.length - 1 : lower.indexOf(">", closeAt);
    if (end === -1) return visible;
    position = end + 1;
  }
}

function decodeEntity(entity: string, name: string): string {
  if (name.startsWith("#")) {
    const codePoint = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
    return codePoint > 0 && codePoint <= 0x10ffff && !(codePoint >= 0xd800 && codePoint <= 0xdfff)
      ? String.fromCodePoint(codePoint)
      : entity;
  }
  return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
}

export function htmlToPlainText(html: string): string {
  return (
    withoutHiddenElements(html)
      // Line breaks in HTML source are spaces; the markup says where lines end.
      .replace(/\s+/g, " ")
      .replace(/<br\b[^<>]*>/gi, "\n")
      .replace(/<\/?(p|div|tr|li|ul|ol|table|blockquote|h[1-6])\b[^<>]*>/gi, "\n\n")
      // `[^<>]` stops each tag at the next `<`: a stray `<` costs nothing and stays in the text.
      .replace(/<[^<>]*>/g, "")
      .replace(/&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,8});/gi, decodeEntity)
      .split("\n")
      .map((line) => line.trim())
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim()
  );
}
