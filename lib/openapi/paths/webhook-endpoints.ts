/** Event webhook endpoints and their delivery logs (`/api/webhook-endpoints…`, with a personal access token). */
import { ListWebhookDeliveriesQuery } from "@/lib/webhooks/schemas";
import { emptyResponse, ok, operation, pathParam, queryParams, surfaces, type Paths } from "../operation";

const endpointId = pathParam("id", "The endpoint's public ID (`whe_…`)");

export const webhookEndpointPaths: Paths = {
  "/api/webhook-endpoints": {
    get: operation(surfaces.administration, "listWebhookEndpoints", {
      tag: "webhookEndpoints",
      summary: "The organisation's event webhook endpoints",
      responses: { 200: ok("Endpoints (secrets never included)", "WebhookEndpointListResponse") },
      errors: [401, 429],
    }),
    post: operation(surfaces.administration, "createWebhookEndpoint", {
      tag: "webhookEndpoints",
      summary: "Add an endpoint (owners and admins)",
      description:
        "The `whsec_…` secret that verifies its signatures is in this response only. The URL must be https (plain http only for loopback addresses the operator allows); one resolving to a private address is refused.",
      body: "CreateWebhookEndpointRequest",
      responses: { 201: ok("The endpoint and its secret", "WebhookEndpointWithSecretResponse") },
      errors: [400, 401, 413, 429],
    }),
  },
  "/api/webhook-endpoints/{id}": {
    get: operation(surfaces.administration, "getWebhookEndpoint", {
      tag: "webhookEndpoints",
      summary: "One endpoint",
      parameters: [endpointId],
      responses: { 200: ok("The endpoint", "WebhookEndpointResponse") },
      errors: [401, 404, 429],
    }),
    patch: operation(surfaces.administration, "updateWebhookEndpoint", {
      tag: "webhookEndpoints",
      summary: "Change, enable or disable an endpoint (owners and admins)",
      description: "Enabling an endpoint Conduit disabled clears the reason and its failure count.",
      parameters: [endpointId],
      body: "UpdateWebhookEndpointRequest",
      responses: { 200: ok("The endpoint", "WebhookEndpointResponse") },
      errors: [400, 401, 404, 413, 429],
    }),
    delete: operation(surfaces.administration, "deleteWebhookEndpoint", {
      tag: "webhookEndpoints",
      summary: "Delete an endpoint and its delivery log (owners and admins)",
      parameters: [endpointId],
      responses: { 204: emptyResponse("Deleted") },
      errors: [401, 404, 429],
    }),
  },
  "/api/webhook-endpoints/{id}/rotate-secret": {
    post: operation(surfaces.administration, "rotateWebhookEndpointSecret", {
      tag: "webhookEndpoints",
      summary: "Rotate the signing secret (owners and admins)",
      description:
        "The new secret is in this response only. For 24 hours every delivery carries two signatures, one per secret, so receivers can switch over.",
      parameters: [endpointId],
      responses: { 200: ok("The endpoint and its new secret", "WebhookEndpointWithSecretResponse") },
      errors: [401, 404, 429],
    }),
  },
  "/api/webhook-endpoints/{id}/test": {
    post: operation(surfaces.administration, "testWebhookEndpoint", {
      tag: "webhookEndpoints",
      summary: "Send a `webhook.test` event (owners and admins)",
      parameters: [endpointId],
      responses: { 202: ok("The queued delivery", "WebhookDeliveryResponse") },
      errors: [401, 404, 409, 429],
    }),
  },
  "/api/webhook-endpoints/{id}/deliveries": {
    get: operation(surfaces.administration, "listWebhookDeliveries", {
      tag: "webhookEndpoints",
      summary: "The endpoint's deliveries, newest first, with every attempt",
      parameters: [endpointId, ...queryParams(ListWebhookDeliveriesQuery)],
      responses: { 200: ok("A page of deliveries", "WebhookDeliveryListResponse") },
      errors: [400, 401, 404, 429],
    }),
  },
  "/api/webhook-deliveries/{id}/resend": {
    post: operation(surfaces.administration, "resendWebhookDelivery", {
      tag: "webhookEndpoints",
      summary: "Send a delivery again (owners and admins)",
      description: "The same `webhook-id` and the same bytes, with new attempts (signed afresh). Only once the delivery has settled.",
      parameters: [pathParam("id", "The delivery's id (`msg_…`, its `webhook-id`)")],
      responses: { 202: ok("The delivery, pending again", "WebhookDeliveryResponse") },
      errors: [401, 404, 409, 429],
    }),
  },
};
