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
const DATA_URL = /^data:(image\/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/=\s]+)$/;

/** The `images` field of requests and events: data URLs, checked in full by storeImages. */
export const imagesField = z.array(z.string()).max(MAX_IMAGES, `at most ${MAX_IMAGES} images`).optional();

/**
 * Stores base64 data-URL images and returns their ids, within the per-request caps and the
 * organisation's image storage (GATE_IMAGE_STORAGE_MAX_MB). Run it inside the transaction that
 * stores what refers to the images: the organisation's images are counted under a lock held
 * until that transaction ends, so concurrent requests cannot together pass the cap.
 */
export async function storeImages(tx: Db, orgId: string, dataUrls: string[] | undefined): Promise<string[] | null> {
  if (!dataUrls?.length) return null;
  const rows = dataUrls.map((url, i) => {
    const match = url.match(DATA_URL);
    if (!match) throw new ApiError("BAD_REQUEST", `images[${i}] must be a data:image/(png|jpeg|gif|webp);base64 URL`);
    const data = match[2]!.replace(/\s/g, "");
    const bytes = Buffer.from(data, "base64").length;
    if (bytes > MAX_IMAGE_BYTES) throw new ApiError("PAYLOAD_TOO_LARGE", `images[${i}] exceeds ${MAX_IMAGE_BYTES / MB} MB`);
    return { orgId, mediaType: match[1]!, data, bytes };
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
