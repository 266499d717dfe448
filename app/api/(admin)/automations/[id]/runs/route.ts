import { getAutomation, ListAutomationRunsQuery, listRuns, serializeRunSummaries } from "@/lib/automations";
import { ANY_MEMBER, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  /** The automation's runs, newest first. */
  GET: admin.route({ roles: ANY_MEMBER, query: ListAutomationRunsQuery }, async ({ auth: user, params, query, db }) => {
    const automation = await getAutomation(db, user.orgId, params.id);
    return { data: await serializeRunSummaries(db, await listRuns(db, automation, query.limit), automation.publicId) };
  }),
});
