import { eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { config } from "@/lib/config";
import { tables, type Db } from "@/lib/db";
import { ApiError } from "@/lib/errors";

const MB = 1024 * 1024;
/** Per request: at most 10 images, each at most 2 MB, together at most 8 MB (decoded sizes). */
const MAX_IMAGES = 10;
const MAX_IMAGE_BYTES = 2 * MB;
const MAX_REQUEST_IMAGE_BYTES = 8 * MB;
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"] as const;
type ImageType = (typeof IMAGE_TYPES)[number];
const DATA_URL = /^data:([^,;]*)(;base64)?,/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The `images` field of requests and events, checked in full by storeImages. */
export const imagesField = z.array(z.string()).max(MAX_IMAGES, `at most ${MAX_IMAGES} images`).optional().meta({
  description:
    "Base64-encoded PNG, JPEG, GIF or WebP images: plain base64 (the type is read from the bytes) or `data:image/…;base64,` URLs",
});

/** The image type its first bytes announce, or null. */
function sniffImageType(bytes: Buffer): ImageType | null {
  const ascii = (start: number, end: number) => bytes.subarray(start, end).toString("latin1");
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "image/png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  if (ascii(0, 6) === "GIF87a" || ascii(0, 6) === "GIF89a") return "image/gif";
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "image/webp";
  return null;
}

/**
 * One image as sent: a `data:image/…;base64,` URL (its declared type is kept) or plain base64
 * (its type read from the bytes). Strict base64, because Node's decoder skips what it does not
 * understand: a shortened example such as `iVBORw0KG...` would otherwise become a broken image.
 */
function parseImage(sent: string, field: string): { mediaType: ImageType; bytes: Buffer } {
  let declared: ImageType | null = null;
  let encoded = sent;
  const dataUrl = sent.match(DATA_URL);
  if (dataUrl) {
    declared = IMAGE_TYPES.find((type) => type === dataUrl[1]) ?? null;
    if (!declared || !dataUrl[2]) throw new ApiError("BAD_REQUEST", `${field} must be a data:image/(png|jpeg|gif|webp);base64, URL`);
    encoded = sent.slice(dataUrl[0].length);
  }
  encoded = encoded.replace(/\s/g, "");
  if (encoded === "") throw new ApiError("BAD_REQUEST", `${field} is empty; send a base64-encoded image`);
  const stray = encoded.search(/[^A-Za-z0-9+/=]/);
  if (stray >= 0) {
    throw new ApiError(
      "BAD_REQUEST",
      `${field} is not valid base64: ${JSON.stringify(encoded[stray])} is not a base64 character; send the whole image, base64-encoded`,
    );
  }
  if (!BASE64.test(encoded) || encoded.length % 4 === 1 || (encoded.includes("=") && encoded.length % 4 !== 0)) {
    throw new ApiError("BAD_REQUEST", `${field} is not valid base64: it is cut short or wrongly padded`);
  }
  const bytes = Buffer.from(encoded, "base64");
  if (bytes.length > MAX_IMAGE_BYTES) throw new ApiError("PAYLOAD_TOO_LARGE", `${field} exceeds ${MAX_IMAGE_BYTES / MB} MB`);
  const mediaType = declared ?? sniffImageType(bytes);
  if (!mediaType) throw new ApiError("BAD_REQUEST", `${field} is not a PNG, JPEG, GIF or WebP image (judged by its first bytes)`);
  return { mediaType, bytes };
}

/**
 * Stores base64 images and returns their ids, within the per-request caps and the
 * organisation's image storage (GATE_IMAGE_STORAGE_MAX_MB). Run it inside the transaction that
 * stores what refers to the images: the organisation's images are counted under a lock held
 * until that transaction ends, so concurrent requests cannot together pass the cap.
 */
export async function storeImages(tx: Db, orgId: string, images: string[] | undefined): Promise<string[] | null> {
  if (!images?.length) return null;
  const rows = images.map((sent, i) => {
    const { mediaType, bytes } = parseImage(sent, `images[${i}]`);
    return { orgId, mediaType, data: bytes.toString("base64"), bytes: bytes.length };
  });
  const requested = rows.reduce((sum, row) => sum + row.bytes, 0);
  if (requested > MAX_REQUEST_IMAGE_BYTES) {
    throw new ApiError("PAYLOAD_TOO_LARGE", `The images of one request may total ${MAX_REQUEST_IMAGE_BYTES / MB} MB`);
  }
  const capMb = config().GATE_IMAGE_STORAGE_MAX_MB;
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`gate-images:${orgId}`}))`);
  const [stored] = await tx
    .select({ bytes: sql<number>`coalesce(sum(${tables.gateImages.bytes}), 0)`.mapWith(Number) })
    .from(tables.gateImages)
    .where(eq(tables.gateImages.orgId, orgId));
  if ((stored?.bytes ?? 0) + requested > capMb * MB) {
    throw new ApiError("STORAGE_LIMIT_REACHED", `This organisation's image storage (${capMb} MB) is full`);
  }
  const inserted = await tx.insert(tables.gateImages).values(rows).returning({ id: tables.gateImages.id });
  return inserted.map((row) => row.id);
}

export async function imagesAsDataUrls(db: Db, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.select().from(tables.gateImages).where(inArray(tables.gateImages.id, ids));
  const byId = new Map(rows.map((row) => [row.id, `data:${row.mediaType};base64,${row.data}`]));
  return ids.map((id) => byId.get(id)).filter((url): url is string => url !== undefined);
}
