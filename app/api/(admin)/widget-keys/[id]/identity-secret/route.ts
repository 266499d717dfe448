import type { RotateWidgetIdentitySecretResponse } from "@/lib/contracts";
import { OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";
import { rotateIdentitySecret, serializeWidgetKey } from "@/lib/widget";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  /** A new identity secret, in this response only; identity tokens signed with the old one are refused at once. */
  POST: admin.route({ roles: OWNERS_AND_ADMINS }, async ({ auth: user, params, db }) => {
    const { record, identitySecret } = await rotateIdentitySecret(db, user.orgId, params.id);
    return { ...(await serializeWidgetKey(db, record)), identity_secret: identitySecret } satisfies RotateWidgetIdentitySecretResponse;
  }),
});
