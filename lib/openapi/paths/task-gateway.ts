/**
 * The task gateway (`/api/agent`: a personal access token and an API key of the same user) and
 * key management (`/api/api-keys`: the token alone). Both answer errors as
 * `{ error: { code, message } }`, with validation failures as 422.
 */
import { ok, operation, pathParam, surfaces, type Paths } from "../operation";

const keyId = pathParam("id", "The key's public ID");

export const taskGatewayPaths: Paths = {
  "/api/agent": {
    post: operation(surfaces.taskGateway, "submitTask", {
      tag: "tasks",
      summary: "Submit a plain-English task",
      description:
        "Accepted at once (202), run by a worker, answered by the `taskReply` webhook (when the key has a `response_url`) or by polling.",
      body: "SubmitTaskRequest",
      responses: { 202: ok("Queued", "SubmitTaskResponse") },
      errors: [401, 403, 413, 422, 429],
    }),
  },
  "/api/agent/{conversation_uuid}": {
    get: operation(surfaces.taskGateway, "getTask", {
      tag: "tasks",
      summary: "Poll a task",
      parameters: [pathParam("conversation_uuid", "The id `POST /api/agent` returned")],
      responses: { 200: ok("The task with its turns and webhook delivery", "TaskResponse") },
      errors: [401, 403, 404, 429],
    }),
  },
  "/api/api-keys": {
    get: operation(surfaces.keyManagement, "listApiKeys", {
      tag: "apiKeys",
      summary: "Your keys in your organisation",
      responses: { 200: ok("Keys", "ApiKeyListResponse") },
      errors: [401, 429],
    }),
    post: operation(surfaces.keyManagement, "createApiKey", {
      tag: "apiKeys",
      summary: "Create a key",
      description: "Every field is optional; no body at all is the same as `{}`.",
      body: "CreateApiKeyRequest",
      bodyOptional: true,
      responses: { 201: ok("The key, with the key itself and its signing secret (shown only here)", "CreateApiKeyResponse") },
      errors: [401, 413, 422, 429],
    }),
  },
  "/api/api-keys/{id}": {
    get: operation(surfaces.keyManagement, "getApiKey", {
      tag: "apiKeys",
      summary: "A key with its usage in the current budget period",
      parameters: [keyId],
      responses: { 200: ok("The key", "ApiKeyDetailsResponse") },
      errors: [401, 403, 404, 429],
    }),
    put: operation(surfaces.keyManagement, "updateApiKey", {
      tag: "apiKeys",
      summary: "Change a key's label, reply webhook, budget or agents",
      parameters: [keyId],
      body: "UpdateApiKeyRequest",
      responses: { 200: ok("The key", "ApiKeyDetailsResponse") },
      errors: [401, 403, 404, 413, 422, 429],
    }),
    delete: operation(surfaces.keyManagement, "revokeApiKey", {
      tag: "apiKeys",
      summary: "Revoke a key",
      description: "Every surface refuses the key at once on this instance.",
      parameters: [keyId],
      responses: { 200: ok("The revoked key", "ApiKeyResponse") },
      errors: [401, 403, 404, 429],
    }),
  },
  "/api/api-keys/{id}/rotate": {
    post: operation(surfaces.keyManagement, "rotateApiKey", {
      tag: "apiKeys",
      summary: "Replace a key's secret",
      description:
        "The key keeps its id, budget and spend, webhook, signing secret and agents; the new secret is in this response only, and the old one stops working at once on this instance (within `KEY_CACHE_TTL_MS` on others).",
      parameters: [keyId],
      responses: { 200: ok("The key with its new secret", "RotateApiKeyResponse") },
      errors: [401, 403, 404, 409, 429],
    }),
  },
};
