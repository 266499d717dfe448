import { rotateEndpointSecret } from "@/lib/webhooks";
import { OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  /** A new secret, in this response only; the old one keeps signing beside it for 24 hours. */
  POST: admin.route({ roles: OWNERS_AND_ADMINS }, async ({ auth: user, params, db }) => rotateEndpointSecret(db, user.orgId, params.id)),
});
