import { receiveMetaCallback, verifyMetaSubscription } from "@/lib/channels";
import { channelCallbacks } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = channelCallbacks.methods<{ connectionId: string }>({
  /** Meta's subscription handshake: the raw `hub.challenge` for the right verify token. */
  GET: channelCallbacks.route({}, async ({ params, request }) => verifyMetaSubscription(params.connectionId, request)),
  /** WhatsApp, Messenger and Instagram deliveries. */
  POST: channelCallbacks.route({}, async ({ params, request }) => receiveMetaCallback(params.connectionId, request)),
});
