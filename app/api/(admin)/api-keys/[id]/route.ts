import { authenticateUser, renderTaskGatewayError } from "@/lib/auth/task-gateway";
import { getDb } from "@/lib/db";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";
import {
  getManagedKey,
  managedKeyDetails,
  revokeManagedKey,
  serializeManagedKey,
  updateManagedKey,
  updateManagedKeyRequest,
} from "@/lib/keys/manage";

type Params = { id: string };

export const GET = apiRoute<Params>(async (request, context, { id }) => {
  const user = await authenticateUser(request, context);
  return Response.json(await managedKeyDetails(await getManagedKey(await getDb(), user, id)));
}, renderTaskGatewayError);

export const PUT = apiRoute<Params>(async (request, context, { id }) => {
  const user = await authenticateUser(request, context);
  const body = parseInput(updateManagedKeyRequest, await readJsonBody(request));
  return Response.json(await managedKeyDetails(await updateManagedKey(await getDb(), user, id, body)));
}, renderTaskGatewayError);

/** Revokes the key: every surface refuses it at once on this instance. */
export const DELETE = apiRoute<Params>(async (request, context, { id }) => {
  const user = await authenticateUser(request, context);
  return Response.json(serializeManagedKey(await revokeManagedKey(await getDb(), user, id)));
}, renderTaskGatewayError);
