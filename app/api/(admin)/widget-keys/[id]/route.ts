import { ANY_MEMBER, OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";
import { getWidgetKey, revokeWidgetKey, serializeWidgetKey, updateWidgetKey, UpdateWidgetKeyRequest } from "@/lib/widget";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  GET: admin.route({ roles: ANY_MEMBER }, async ({ auth: user, params, db }) =>
    serializeWidgetKey(db, await getWidgetKey(db, user.orgId, params.id)),
  ),

  /** Changes the name, allowed origins, appearance or daily cap. */
  PATCH: admin.route({ roles: OWNERS_AND_ADMINS, body: UpdateWidgetKeyRequest }, async ({ auth: user, body, params, db }) =>
    serializeWidgetKey(db, await updateWidgetKey(db, user.orgId, params.id, body)),
  ),

  /** Revokes the key: pages can no longer start sessions, and open ones stop at their next message. */
  DELETE: admin.route({ roles: OWNERS_AND_ADMINS }, async ({ auth: user, params, db }) =>
    serializeWidgetKey(db, await revokeWidgetKey(db, user.orgId, params.id)),
  ),
});
