import { apiRoute } from "@/lib/http";
import { openApiDocument } from "@/lib/openapi/document";

/** Public: the API description is no secret, and tools fetch it without credentials. */
export const GET = apiRoute(async () => Response.json(openApiDocument(), { headers: { "Cache-Control": "public, max-age=300" } }));
