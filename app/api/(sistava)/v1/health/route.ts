import { sistava } from "@/lib/surfaces";

/** Authenticated health check: proves the key works and the service is up. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = sistava.methods({
  GET: sistava.route({}, async () => ({ status: "ok" })),
});
