import { sendTestEvent, serializeDelivery } from "@/lib/webhooks";
import { OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  /** Queues a `webhook.test` event to this endpoint; answers with the delivery to follow. */
  POST: admin.route({ roles: OWNERS_AND_ADMINS }, async ({ auth: user, params, db }) => {
    const { endpoint, delivery } = await sendTestEvent(db, user.orgId, params.id);
    return Response.json(serializeDelivery(delivery, endpoint.publicId), { status: 202 });
  }),
});
