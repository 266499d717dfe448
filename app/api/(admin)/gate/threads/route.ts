import { listThreads, listThreadsQuery } from "@/lib/gate";
import { ANY_ROLE, admin } from "@/lib/surfaces";

/** Review threads, elevated first; filter with ?status= and ?risk_level=. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods({
  GET: admin.route({ roles: ANY_ROLE, query: listThreadsQuery }, async ({ auth: user, query, db }) => ({
    data: await listThreads(db, user.orgId, { status: query.status, riskLevel: query.risk_level }),
  })),
});
