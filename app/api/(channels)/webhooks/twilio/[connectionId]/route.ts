import { receiveTwilioCallback } from "@/lib/channels";
import { channelCallbacks } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = channelCallbacks.methods<{ connectionId: string }>({
  /** Incoming SMS and WhatsApp messages, and status callbacks. */
  POST: channelCallbacks.route({}, async ({ params, request }) => receiveTwilioCallback(params.connectionId, request)),
});
