import { authenticateUser } from "@/lib/auth/task-gateway";
import { getDb } from "@/lib/db";
import { listThreads } from "@/lib/gate/service";
import { apiRoute } from "@/lib/http";

/** Review threads, elevated first; filter with ?status= and ?risk_level=. */
export const GET = apiRoute(async (request, context) => {
  const user = await authenticateUser(request, context);
  const query = new URL(request.url).searchParams;
  const threads = await listThreads(await getDb(), user.orgId, {
    status: query.get("status") ?? undefined,
    riskLevel: query.get("risk_level") ?? undefined,
  });
  return Response.json({ data: threads });
});
