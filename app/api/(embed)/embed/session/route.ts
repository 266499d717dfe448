import { foreignPageOrigin } from "@/lib/http";
import { embed } from "@/lib/surfaces";
import { startWidgetSession, StartWidgetSessionRequest } from "@/lib/widget";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = embed.methods({
  /** Starts a visitor's session with a publishable key, for a page on one of the key's allowed origins. */
  POST: embed.publicRoute({ body: StartWidgetSessionRequest }, async ({ body, db, context, request }) =>
    startWidgetSession(db, body, { ip: context.ip, pageOrigin: foreignPageOrigin(request) }),
  ),
});
