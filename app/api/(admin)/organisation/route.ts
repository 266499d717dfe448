import { getOrganisation, serializeOrganisation, updateOrganisation, updateOrganisationRequest } from "@/lib/orgs/settings";
import { ANY_ROLE, OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

/** The caller's organisation: API channel switch, billing mode and monthly plan limits. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods({
  GET: admin.route({ roles: ANY_ROLE }, async ({ auth: user, db }) => serializeOrganisation(await getOrganisation(db, user.orgId))),

  /** Takes effect at once on this instance, within KEY_CACHE_TTL_MS on others. */
  PUT: admin.route({ roles: OWNERS_AND_ADMINS, body: updateOrganisationRequest }, async ({ auth: user, body, db }) =>
    serializeOrganisation(await updateOrganisation(db, user, body)),
  ),
});
