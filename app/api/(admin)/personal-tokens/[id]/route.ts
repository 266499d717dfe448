import { getPersonalToken, revokePersonalToken, serializePersonalToken } from "@/lib/auth/personal-tokens";
import { ANY_ROLE, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  GET: admin.route({ roles: ANY_ROLE }, async ({ auth: user, params, db }) =>
    serializePersonalToken(await getPersonalToken(db, user, params.id)),
  ),

  /** Revokes the token: it stops working at once on this instance. */
  DELETE: admin.route({ roles: ANY_ROLE }, async ({ auth: user, params, db }) =>
    serializePersonalToken(await revokePersonalToken(db, user, params.id)),
  ),
});
