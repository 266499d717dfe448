/**
 * Writes small, valid PDFs by hand: one page per entry, each line a line of Helvetica text, with a
 * correct cross-reference table — enough for any PDF reader, with no fixture files to keep.
 */
const escapeText = (text: string) => text.replace(/[\\()]/g, (c) => `\\${c}`);

export function minimalPdf(pages: string[][], options: { encrypted?: boolean } = {}): Buffer {
  const objects: string[] = [];
  const pageIds = pages.map((_, i) => 3 + i * 2);
  const fontId = 3 + pages.length * 2;
  objects[1] = "<< /Type /Catalog /Pages 2 0 R >>";
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${pages.length} >>`;
  pages.forEach((lines, i) => {
    const id = pageIds[i]!;
    const stream = `BT /F1 12 Tf 72 720 Td 14 TL ${lines.map((line) => `(${escapeText(line)}) '`).join(" ")} ET`;
    objects[id] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${fontId} 0 R >> >> /Contents ${id + 1} 0 R >>`;
    objects[id + 1] = `<< /Length ${Buffer.byteLength(stream, "latin1")} >>\nstream\n${stream}\nendstream`;
  });
  objects[fontId] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
  // A standard security handler whose user password is unknown: readers must ask for it.
  const encryptId = fontId + 1;
  if (options.encrypted) {
    objects[encryptId] = `<< /Filter /Standard /V 1 /R 2 /O <${"a".repeat(64)}> /U <${"b".repeat(64)}> /P -44 >>`;
  }
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(body, "latin1");
    body += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(body, "latin1");
  const entries = offsets.slice(1).map((offset) => `${String(offset).padStart(10, "0")} 00000 n \n`);
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n${entries.join("")}`;
  const encrypt = options.encrypted ? ` /Encrypt ${encryptId} 0 R /ID [<${"c".repeat(32)}> <${"c".repeat(32)}>]` : "";
  body += `trailer\n<< /Size ${objects.length} /Root 1 0 R${encrypt} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}
