import { listDeliveries, ListWebhookDeliveriesQuery } from "@/lib/webhooks";
import { ANY_MEMBER, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  /** The endpoint's deliveries, newest first, with every attempt. */
  GET: admin.route({ roles: ANY_MEMBER, query: ListWebhookDeliveriesQuery }, async ({ auth: user, params, query, db }) =>
    listDeliveries(db, user.orgId, params.id, query),
  ),
});
