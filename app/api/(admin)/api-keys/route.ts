import { createManagedKey, createManagedKeyRequest, listManagedKeys, serializeManagedKey } from "@/lib/keys/manage";
import { ANY_MEMBER, OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods({
  /** Your keys in your organisation. */
  GET: admin.route({ roles: ANY_MEMBER }, async ({ auth: user, db }) => ({
    data: (await listManagedKeys(db, user)).map(serializeManagedKey),
  })),

  /** A new key; the key and its signing secret are in this response only. */
  POST: admin.route({ roles: OWNERS_AND_ADMINS, body: createManagedKeyRequest }, async ({ auth: user, body, db }) => {
    const { record, secret, signingSecret } = await createManagedKey(db, user, body);
    return Response.json({ ...serializeManagedKey(record), key: secret, signing_secret: signingSecret }, { status: 201 });
  }),
});
