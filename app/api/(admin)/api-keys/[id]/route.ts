import {
  getManagedKey,
  managedKeyDetails,
  revokeManagedKey,
  serializeManagedKey,
  updateManagedKey,
  updateManagedKeyRequest,
} from "@/lib/keys/manage";
import { ANY_MEMBER, OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  GET: admin.route({ roles: ANY_MEMBER }, async ({ auth: user, params, db }) =>
    managedKeyDetails(db, await getManagedKey(db, user, params.id)),
  ),

  PUT: admin.route({ roles: OWNERS_AND_ADMINS, body: updateManagedKeyRequest }, async ({ auth: user, body, params, db }) =>
    managedKeyDetails(db, await updateManagedKey(db, user, params.id, body)),
  ),

  /** Revokes the key: every surface refuses it at once on this instance. */
  DELETE: admin.route({ roles: ANY_MEMBER }, async ({ auth: user, params, db }) =>
    serializeManagedKey(db, await revokeManagedKey(db, user, params.id)),
  ),
});
