import { openApiDocument } from "@/lib/openapi/document";
import { conduit } from "@/lib/surfaces";

/** Public: the API description is no secret, and tools fetch it without credentials. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = conduit.methods({
  GET: conduit.publicRoute({}, async () => Response.json(openApiDocument(), { headers: { "Cache-Control": "public, max-age=300" } })),
});
