/** Field schemas the response schemas share; deliberately not components of their own. */
import { z } from "zod";

export const jsonObject = z.record(z.string(), z.unknown());
export const timestamp = z.iso.datetime();
export const publicId = (what: string, example: string) => z.string().meta({ description: `Public ID of the ${what}`, example });
