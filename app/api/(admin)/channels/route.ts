import { createChannel, CreateChannelRequest, listChannels, ListChannelsQuery, serializeChannel } from "@/lib/channels";
import { ANY_MEMBER, OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods({
  /** The organisation's channel connections, optionally of one agent. */
  GET: admin.route({ roles: ANY_MEMBER, query: ListChannelsQuery }, async ({ auth: user, query, db }) => ({
    data: await Promise.all((await listChannels(db, user.orgId, query.agent_id)).map((connection) => serializeChannel(db, connection))),
  })),

  /** Connects an agent to a channel; an email connection's inbox secret is in this response only. */
  POST: admin.route({ roles: OWNERS_AND_ADMINS, body: CreateChannelRequest }, async ({ auth: user, body, db }) => {
    const { connection, inboxSecret } = await createChannel(db, user, body);
    return Response.json(
      { ...(await serializeChannel(db, connection)), ...(inboxSecret ? { inbox_secret: inboxSecret } : {}) },
      { status: 201 },
    );
  }),
});
