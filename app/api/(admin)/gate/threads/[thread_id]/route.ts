import { openThread } from "@/lib/gate";
import { ANY_MEMBER, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ thread_id: string }>({
  GET: admin.route({ roles: ANY_MEMBER }, async ({ auth: user, params, db }) => openThread(db, user.orgId, params.thread_id)),
});
