import { publishAutomation, serializeAutomation } from "@/lib/automations";
import { OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  /** Makes the draft the steps the trigger runs. */
  POST: admin.route({ roles: OWNERS_AND_ADMINS }, async ({ auth: user, params, db }) =>
    serializeAutomation(db, await publishAutomation(db, user.orgId, params.id)),
  ),
});
