import { deleteAutomation, getAutomation, serializeAutomation, updateAutomation, UpdateAutomationRequest } from "@/lib/automations";
import { ANY_MEMBER, OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  GET: admin.route({ roles: ANY_MEMBER }, async ({ auth: user, params, db }) =>
    serializeAutomation(db, await getAutomation(db, user.orgId, params.id)),
  ),

  /** Renames, changes the paying key, or saves the draft's steps; the published snapshot runs until the next publish. */
  PATCH: admin.route({ roles: OWNERS_AND_ADMINS, body: UpdateAutomationRequest }, async ({ auth: user, body, params, db }) =>
    serializeAutomation(db, await updateAutomation(db, user.orgId, params.id, body)),
  ),

  /** Deletes the automation and its run history; its trigger answers 404 from now on. */
  DELETE: admin.route({ roles: OWNERS_AND_ADMINS }, async ({ auth: user, params, db }) => {
    await deleteAutomation(db, user.orgId, params.id);
    return new Response(null, { status: 204 });
  }),
});
