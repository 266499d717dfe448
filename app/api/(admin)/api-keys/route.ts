import { authenticateUser, renderTaskGatewayError } from "@/lib/auth/task-gateway";
import { getDb } from "@/lib/db";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";
import { createManagedKey, createManagedKeyRequest, listManagedKeys, serializeManagedKey } from "@/lib/keys/manage";

/** Your keys in your organisation. */
export const GET = apiRoute(async (request, context) => {
  const user = await authenticateUser(request, context);
  return Response.json({ data: (await listManagedKeys(await getDb(), user)).map(serializeManagedKey) });
}, renderTaskGatewayError);

/** A new key; the key and its signing secret are in this response only. */
export const POST = apiRoute(async (request, context) => {
  const user = await authenticateUser(request, context);
  const body = parseInput(createManagedKeyRequest, await readJsonBody(request));
  const { record, secret, signingSecret } = await createManagedKey(await getDb(), user, body);
  return Response.json({ ...serializeManagedKey(record), key: secret, signing_secret: signingSecret }, { status: 201 });
}, renderTaskGatewayError);
