import { conduit } from "@/lib/surfaces";

/** Unauthenticated liveness probe for load balancers and orchestrators. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = conduit.methods({
  GET: conduit.publicRoute({}, async () => ({ status: "ok" })),
});
