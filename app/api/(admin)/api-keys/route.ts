import { createManagedKey, createManagedKeyRequest, listManagedKeys, serializeManagedKey, serializeManagedKeys } from "@/lib/keys/manage";
import { ANY_MEMBER, OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods({
  /** Your keys in your organisation. */
  GET: admin.route({ roles: ANY_MEMBER }, async ({ auth: user, db }) => ({
    data: await serializeManagedKeys(db, await listManagedKeys(db, user)),
  })),

  /** A new key; the key and its signing secret are in this response only. No body at all is `{}`. */
  POST: admin.route({ roles: OWNERS_AND_ADMINS, body: createManagedKeyRequest, bodyOptional: true }, async ({ auth: user, body, db }) => {
    const { record, secret, signingSecret } = await createManagedKey(db, user, body);
    return Response.json({ ...(await serializeManagedKey(db, record)), key: secret, signing_secret: signingSecret }, { status: 201 });
  }),
});
