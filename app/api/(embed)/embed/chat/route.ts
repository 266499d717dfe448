import { embed } from "@/lib/surfaces";
import { widgetChat, WidgetChatRequest } from "@/lib/widget";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = embed.methods({
  /** One visitor message; the answer streams back as NDJSON. */
  POST: embed.route({ body: WidgetChatRequest }, async ({ auth, body, db, context, request }) =>
    widgetChat(db, auth, body, context, request.signal),
  ),
});
