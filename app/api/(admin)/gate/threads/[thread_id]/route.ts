import { openThread } from "@/lib/gate";
import { ANY_ROLE, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ thread_id: string }>({
  GET: admin.route({ roles: ANY_ROLE }, async ({ auth: user, params, db }) => openThread(db, user.orgId, params.thread_id)),
});
