import { authenticateUser } from "@/lib/auth/task-gateway";
import { getDb } from "@/lib/db";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";
import { getOrganisation, serializeOrganisation, updateOrganisation, updateOrganisationRequest } from "@/lib/orgs/settings";

/** The caller's organisation: API channel switch, billing mode and monthly plan limits. */
export const GET = apiRoute(async (request, context) => {
  const user = await authenticateUser(request, context);
  return Response.json(serializeOrganisation(await getOrganisation(await getDb(), user.orgId)));
});

/** Takes effect at once on this instance, within KEY_CACHE_TTL_MS on others. */
export const PUT = apiRoute(async (request, context) => {
  const user = await authenticateUser(request, context);
  const body = parseInput(updateOrganisationRequest, await readJsonBody(request));
  return Response.json(serializeOrganisation(await updateOrganisation(await getDb(), user, body)));
});
