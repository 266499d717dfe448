import { receiveEmailCallback } from "@/lib/channels";
import { channelCallbacks } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = channelCallbacks.methods<{ connectionId: string }>({
  /** Inbound mail: raw MIME or Postmark's inbound JSON. */
  POST: channelCallbacks.route({}, async ({ params, request }) => receiveEmailCallback(params.connectionId, request)),
});
