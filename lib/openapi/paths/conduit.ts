/** Conduit's own surfaces: agent chat, v1 chat, health, this document, organisation settings and personal access tokens. */
import { schemaRef } from "../components";
import { json, ok, operation, pathParam, surfaces, type Paths } from "../operation";

// Both chat doors fail like the model call under them: body limits, rate limits, upstream trouble.
const chatErrors = [400, 401, 403, 404, 413, 429, 502, 504] as const;

export const conduitPaths: Paths = {
  "/api/agents/{agentId}/chat": {
    post: operation(surfaces.keyedConduit, "createAgentChat", {
      tag: "chat",
      summary: "Chat with an agent",
      parameters: [pathParam("agentId", "The agent's UUID or public ID (`agt_…`)")],
      body: "ChatRequest",
      responses: {
        200: {
          description: "The reply, or an NDJSON stream when `stream: true`",
          content: {
            ...json(schemaRef("ChatResponse")),
            "application/x-ndjson": {
              schema: {
                type: "string",
                description:
                  'One JSON object per line: `{"type":"delta","content"}` chunks, with `{"type":"tool-call","tool_call_id","tool_name","args"}` and `{"type":"tool-result","tool_call_id","tool_name","result"}` lines for tool activity, then `{"type":"done", …ChatResponse}` (`status: "requires_action"` when the run paused) or `{"type":"error","error":{code,message,request_id}}`.',
              },
            },
          },
        },
      },
      errors: chatErrors,
    }),
  },
  "/api/v1/chat": {
    post: operation(surfaces.keyedConduit, "createV1Chat", {
      tag: "chat",
      summary: "Ask an agent (employee) and wait for the answer",
      body: "V1ChatRequest",
      description:
        "The agent runs with all its tools. A run that pauses (a client tool, or a gated call under review) cannot be handed back here: 409 RUN_PAUSED names the generation to follow with the Agents API.",
      responses: { 200: ok("The agent's answer", "V1ChatResponse") },
      errors: [...chatErrors, 409],
    }),
  },
  "/api/v1/health": {
    get: operation(surfaces.keyedConduit, "getV1Health", {
      tag: "meta",
      summary: "Check that an API key works and the service is up",
      responses: { 200: ok("Healthy", "HealthResponse") },
      errors: [401, 403, 429],
    }),
  },
  "/api/health": {
    get: operation(surfaces.public, "getHealth", {
      tag: "meta",
      summary: "Liveness probe",
      responses: { 200: ok("Healthy", "HealthResponse") },
      errors: [],
    }),
  },
  "/api/openapi.json": {
    get: operation(surfaces.public, "getOpenApiDocument", {
      tag: "meta",
      summary: "This OpenAPI document",
      responses: { 200: { description: "OpenAPI 3.1 document", content: json({ type: "object" }) } },
      errors: [],
    }),
  },
  "/api/organisation": {
    get: operation(surfaces.administration, "getOrganisation", {
      tag: "organisation",
      summary: "The caller's organisation",
      responses: { 200: ok("Organisation settings", "OrganisationResponse") },
      errors: [401, 429],
    }),
    put: operation(surfaces.administration, "updateOrganisation", {
      tag: "organisation",
      summary: "Change the organisation's settings (owners and admins)",
      description: "Takes effect at once on this instance, within KEY_CACHE_TTL_MS on others.",
      body: "UpdateOrganisationRequest",
      responses: { 200: ok("Organisation settings", "OrganisationResponse") },
      errors: [400, 401, 403, 413, 429],
    }),
  },
  "/api/personal-tokens": {
    get: operation(surfaces.administration, "listPersonalTokens", {
      tag: "personalTokens",
      summary: "Your personal access tokens in this organisation (never the tokens themselves)",
      responses: { 200: ok("Tokens, revoked ones included", "PersonalTokenListResponse") },
      errors: [401, 429],
    }),
    post: operation(surfaces.administration, "createPersonalToken", {
      tag: "personalTokens",
      summary: "Create a personal access token for yourself",
      description:
        "The token works in the organisation of the token that created it. Every field is optional; no body at all is the same as `{}`.",
      body: "CreatePersonalTokenRequest",
      bodyOptional: true,
      responses: { 201: ok("The token, with the token itself (shown only here)", "CreatePersonalTokenResponse") },
      errors: [401, 413, 429],
    }),
  },
  "/api/personal-tokens/{id}": {
    get: operation(surfaces.administration, "getPersonalToken", {
      tag: "personalTokens",
      summary: "One of your personal access tokens",
      parameters: [pathParam("id", "The token's public ID (`pat_…`)")],
      responses: { 200: ok("The token", "PersonalTokenResponse") },
      errors: [401, 404, 429],
    }),
    delete: operation(surfaces.administration, "revokePersonalToken", {
      tag: "personalTokens",
      summary: "Revoke one of your personal access tokens",
      description: "The token stops working at once on this instance, within KEY_CACHE_TTL_MS on others. A token may revoke itself.",
      parameters: [pathParam("id", "The token's public ID (`pat_…`)")],
      responses: { 200: ok("The revoked token", "PersonalTokenResponse") },
      errors: [401, 404, 429],
    }),
  },
};
