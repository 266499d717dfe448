import { deleteChannel, getChannel, serializeChannel, updateChannel, UpdateChannelRequest } from "@/lib/channels";
import { ANY_MEMBER, OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  GET: admin.route({ roles: ANY_MEMBER }, async ({ auth: user, params, db }) =>
    serializeChannel(db, await getChannel(db, user.orgId, params.id)),
  ),

  /** Renames, enables or disables, or replaces some credentials (the others are kept). */
  PATCH: admin.route({ roles: OWNERS_AND_ADMINS, body: UpdateChannelRequest }, async ({ auth: user, body, params, db }) =>
    serializeChannel(db, await updateChannel(db, user.orgId, params.id, body)),
  ),

  /** Disconnects the channel: its callbacks answer 404 from now on; its conversations stay. */
  DELETE: admin.route({ roles: OWNERS_AND_ADMINS }, async ({ auth: user, params, db }) => {
    await deleteChannel(db, user.orgId, params.id);
    return new Response(null, { status: 204 });
  }),
});
