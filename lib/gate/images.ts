import { inArray } from "drizzle-orm";
import { z } from "zod";
import { tables, type Db } from "@/lib/db";
import { ApiError } from "@/lib/errors";

const MAX_IMAGES = 10;
const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
const DATA_URL = /^data:(image\/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/=\s]+)$/;

/** The `images` field of requests and events: data URLs, checked in full by storeImages. */
export const imagesField = z.array(z.string()).max(MAX_IMAGES, `at most ${MAX_IMAGES} images`).optional();

/** Stores base64 data-URL images (size-capped) and returns their ids. */
export async function storeImages(db: Db, orgId: string, dataUrls: string[] | undefined): Promise<string[] | null> {
  if (!dataUrls?.length) return null;
  const rows = dataUrls.map((url, i) => {
    const match = url.match(DATA_URL);
    if (!match) throw new ApiError("BAD_REQUEST", `images[${i}] must be a data:image/(png|jpeg|gif|webp);base64 URL`);
    const data = match[2]!.replace(/\s/g, "");
    const bytes = Buffer.from(data, "base64").length;
    if (bytes > MAX_IMAGE_BYTES) throw new ApiError("BAD_REQUEST", `images[${i}] exceeds ${MAX_IMAGE_BYTES / 1024 / 1024} MB`);
    return { orgId, mediaType: match[1]!, data, bytes };
  });
  const stored = await db.insert(tables.gateImages).values(rows).returning({ id: tables.gateImages.id });
  return stored.map((row) => row.id);
}

export async function imagesAsDataUrls(db: Db, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.select().from(tables.gateImages).where(inArray(tables.gateImages.id, ids));
  const byId = new Map(rows.map((row) => [row.id, `data:${row.mediaType};base64,${row.data}`]));
  return ids.map((id) => byId.get(id)).filter((url): url is string => url !== undefined);
}
