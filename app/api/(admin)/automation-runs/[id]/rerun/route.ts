import type { AutomationRunQueuedResponse } from "@/lib/contracts";
import { rerun } from "@/lib/automations";
import { OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  /** The same payload again, as a new run of the automation's published steps. */
  POST: admin.route({ roles: OWNERS_AND_ADMINS }, async ({ auth: user, params, db }) => {
    const run = await rerun(db, user.orgId, params.id);
    const body: AutomationRunQueuedResponse = { run_id: run.publicId, status: run.status };
    return Response.json(body, { status: 202 });
  }),
});
