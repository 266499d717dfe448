import { apiRoute } from "@/lib/http";

/** Unauthenticated liveness probe for load balancers and orchestrators. */
export const GET = apiRoute(async () => Response.json({ status: "ok" }));
