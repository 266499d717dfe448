import { rotateTriggerSecrets } from "@/lib/automations";
import { OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  /** New bearer and signing secrets, shown in this response only; the old ones stop working at once. */
  POST: admin.route({ roles: OWNERS_AND_ADMINS }, async ({ auth: user, params, db }) => rotateTriggerSecrets(db, user.orgId, params.id)),
});
