import { resendDelivery } from "@/lib/webhooks";
import { OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  /** Sends a settled delivery again: the same `webhook-id` and body, with new attempts. */
  POST: admin.route({ roles: OWNERS_AND_ADMINS }, async ({ auth: user, params, db }) =>
    Response.json(await resendDelivery(db, user.orgId, params.id), { status: 202 }),
  ),
});
