import { ANY_MEMBER, OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";
import { createWidgetKey, CreateWidgetKeyRequest, listWidgetKeys, serializeWidgetKey } from "@/lib/widget";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods({
  /** The organisation's widget keys (never the keys themselves). */
  GET: admin.route({ roles: ANY_MEMBER }, async ({ auth: user, db }) => ({
    data: await Promise.all((await listWidgetKeys(db, user.orgId)).map((record) => serializeWidgetKey(db, record))),
  })),

  /** A publishable key for one agent and its allowed origins; the key and its identity secret are in this response only. */
  POST: admin.route({ roles: OWNERS_AND_ADMINS, body: CreateWidgetKeyRequest }, async ({ auth: user, body, db }) => {
    const { record, key, identitySecret } = await createWidgetKey(db, user, body);
    return Response.json({ ...(await serializeWidgetKey(db, record)), key, identity_secret: identitySecret }, { status: 201 });
  }),
});
