import type { RotateApiKeyResponse } from "@/lib/contracts";
import { rotateManagedKey, serializeManagedKey } from "@/lib/keys/manage";
import { OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  /** A new secret for the key, in this response only; the old one stops working at once on this instance. */
  POST: admin.route({ roles: OWNERS_AND_ADMINS }, async ({ auth: user, params, db }) => {
    const { record, secret } = await rotateManagedKey(db, user, params.id);
    return { ...(await serializeManagedKey(db, record)), key: secret } satisfies RotateApiKeyResponse;
  }),
});
