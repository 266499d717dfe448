import { createEndpoint, CreateWebhookEndpointRequest, listEndpoints, serializeEndpoint } from "@/lib/webhooks";
import { ANY_MEMBER, OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods({
  /** The organisation's event webhook endpoints (secrets never included). */
  GET: admin.route({ roles: ANY_MEMBER }, async ({ auth: user, db }) => ({
    data: (await listEndpoints(db, user.orgId)).map(serializeEndpoint),
  })),

  /** Adds an endpoint; its signing secret is in this response only. */
  POST: admin.route({ roles: OWNERS_AND_ADMINS, body: CreateWebhookEndpointRequest }, async ({ auth: user, body, db }) =>
    Response.json(await createEndpoint(db, user.orgId, body), { status: 201 }),
  ),
});
