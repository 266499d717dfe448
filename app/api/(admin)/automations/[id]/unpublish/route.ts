import { serializeAutomation, unpublishAutomation } from "@/lib/automations";
import { OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  /** The trigger answers 404 until the automation is published again. */
  POST: admin.route({ roles: OWNERS_AND_ADMINS }, async ({ auth: user, params, db }) =>
    serializeAutomation(db, await unpublishAutomation(db, user.orgId, params.id)),
  ),
});
