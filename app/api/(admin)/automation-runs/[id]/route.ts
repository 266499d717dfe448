import { getRun, serializeRun } from "@/lib/automations";
import { ANY_MEMBER, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  /** A run with its payload and each step's rendered input, output, duration, error and attempts. */
  GET: admin.route({ roles: ANY_MEMBER }, async ({ auth: user, params, db }) => {
    const { run, automation } = await getRun(db, user.orgId, params.id);
    return serializeRun(db, run, automation);
  }),
});
