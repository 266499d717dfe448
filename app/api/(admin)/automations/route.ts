import {
  createAutomation,
  CreateAutomationRequest,
  listAutomations,
  serializeAutomation,
  serializeCreatedAutomation,
} from "@/lib/automations";
import { ANY_MEMBER, OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods({
  GET: admin.route({ roles: ANY_MEMBER }, async ({ auth: user, db }) => ({
    data: await Promise.all((await listAutomations(db, user.orgId)).map((automation) => serializeAutomation(db, automation))),
  })),

  /** Creates a draft with its webhook trigger; the trigger's bearer and signing secrets are in this response only. */
  POST: admin.route({ roles: OWNERS_AND_ADMINS, body: CreateAutomationRequest }, async ({ auth: user, body, db }) =>
    Response.json(await serializeCreatedAutomation(db, await createAutomation(db, user, body)), { status: 201 }),
  ),
});
