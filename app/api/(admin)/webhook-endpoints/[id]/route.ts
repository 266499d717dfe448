import { deleteEndpoint, getEndpoint, serializeEndpoint, updateEndpoint, UpdateWebhookEndpointRequest } from "@/lib/webhooks";
import { ANY_MEMBER, OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  GET: admin.route({ roles: ANY_MEMBER }, async ({ auth: user, params, db }) =>
    serializeEndpoint(await getEndpoint(db, user.orgId, params.id)),
  ),

  /** Changes the URL, description or event types; enables or disables (enabling clears why Conduit disabled it). */
  PATCH: admin.route({ roles: OWNERS_AND_ADMINS, body: UpdateWebhookEndpointRequest }, async ({ auth: user, body, params, db }) =>
    serializeEndpoint(await updateEndpoint(db, user.orgId, params.id, body)),
  ),

  /** Deletes the endpoint and its delivery log; deliveries still queued are dropped. */
  DELETE: admin.route({ roles: OWNERS_AND_ADMINS }, async ({ auth: user, params, db }) => {
    await deleteEndpoint(db, user.orgId, params.id);
    return new Response(null, { status: 204 });
  }),
});
