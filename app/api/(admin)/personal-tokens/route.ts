import { CreatePersonalTokenRequest, createPersonalToken, listPersonalTokens, serializePersonalToken } from "@/lib/auth/personal-tokens";
import type { CreatePersonalTokenResponse } from "@/lib/contracts";
import { ANY_ROLE, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods({
  /** Your tokens in this organisation, without their secrets. */
  GET: admin.route({ roles: ANY_ROLE }, async ({ auth: user, db }) => ({
    data: (await listPersonalTokens(db, user)).map(serializePersonalToken),
  })),

  /** A new token for you; the token itself is in this response only. No body at all is `{}`. */
  POST: admin.route({ roles: ANY_ROLE, body: CreatePersonalTokenRequest, bodyOptional: true }, async ({ auth: user, body, db }) => {
    const { record, secret } = await createPersonalToken(db, user, body);
    const created: CreatePersonalTokenResponse = { ...serializePersonalToken(record), token: secret };
    return Response.json(created, { status: 201 });
  }),
});
