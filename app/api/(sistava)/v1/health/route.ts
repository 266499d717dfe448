import { authenticateApiKey } from "@/lib/auth";
import { apiRoute } from "@/lib/http";

/** Authenticated health check: proves the key works and the service is up. */
export const GET = apiRoute(async (request, context) => {
  const auth = await authenticateApiKey(request, context);
  return Response.json({ status: "ok" }, { headers: auth.rateLimitHeaders });
});
