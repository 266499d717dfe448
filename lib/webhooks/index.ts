/**
 * The one delivery engine for every outgoing webhook: task replies, gate decisions and the
 * organisation's event endpoints. One table, one job kind on the durable queue, each attempt
 * logged; how a delivery is signed is recorded on it.
 */
export { webhookJobHandler } from "./deliver";
export { listDeliveries, resendDelivery, serializeDelivery } from "./deliveries";
export {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listEndpoints,
  queueEvent,
  rotateEndpointSecret,
  sendTestEvent,
  serializeEndpoint,
  updateEndpoint,
  type EventToQueue,
} from "./endpoints";
export { getDeliveriesFor, queueWebhook, type NewWebhook } from "./queue";
export { CreateWebhookEndpointRequest, ListWebhookDeliveriesQuery, UpdateWebhookEndpointRequest } from "./schemas";
export { newWebhookSecret, signBody, standardWebhookHeaders } from "./sign";
