import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { openApiDocument } from "@/lib/openapi/document";
import { startWorld, type World } from "./support/app";
import { compatibilityProblems, resolveRef } from "./support/openapi-compat";

type Json = Record<string, unknown>;

/** The SOAT Agents API, which Conduit implements path for path. */
const seed = parse(readFileSync(path.join(__dirname, "fixtures/soat-agents-openapi.yaml"), "utf8")) as Json;

let world: World<undefined>;
let response: Response;
let ours: Json;

beforeAll(async () => {
  world = await startWorld({ seed: async () => undefined });
  response = await fetch(`${world.app.url}/api/openapi.json`);
  ours = (await response.json()) as Json;
});

afterAll(async () => {
  await world?.close();
});

/** The object at `keys` below `doc`; throws if the document lacks it, so a typo fails loudly. */
function node(doc: Json, ...keys: string[]): Json {
  let current: unknown = doc;
  for (const key of keys) {
    if (typeof current !== "object" || current === null || !(key in current)) throw new Error(`No ${keys.join(".")}`);
    current = (current as Json)[key];
  }
  return current as Json;
}

const schema = (doc: Json, name: string) => node(doc, "components", "schemas", name);
const properties = (doc: Json, name: string) => node(schema(doc, name), "properties");

function operations(doc: Json): { method: string; path: string; operation: Json }[] {
  return Object.entries(node(doc, "paths")).flatMap(([apiPath, item]) =>
    Object.entries(item as Json).map(([method, operation]) => ({ method, path: apiPath, operation: operation as Json })),
  );
}

function collectRefs(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => collectRefs(item, into));
  else if (typeof value === "object" && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string") into.push(child);
      else collectRefs(child, into);
    }
  }
  return into;
}

describe("GET /api/openapi.json", () => {
  it("serves the OpenAPI document publicly, as cacheable JSON", () => {
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    expect(ours).toEqual(openApiDocument());
    expect(ours).toMatchObject({
      openapi: "3.1.0",
      info: { title: "Conduit" },
      servers: [{ url: "/" }],
      security: [{ bearerAuth: [] }],
      components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } } },
    });
  });

  it("has unique operationIds and no dangling $ref", () => {
    const ids = operations(ours).map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const ref of collectRefs(ours)) expect(() => resolveRef(ours, ref), ref).not.toThrow();
  });

  it("serves every operation of the SOAT Agents API with compatible parameters, bodies and statuses", () => {
    expect(operations(seed)).toHaveLength(13);
    // The deviations, documented: agents made outside this API (the first-start demo agent) run
    // on the deployment's model and have no provider; and tools may be of Conduit's own type
    // `a2a` (remote A2A agents), which a client knowing only the seed's types never creates but
    // may read back.
    expect(compatibilityProblems(seed, ours)).toEqual([
      'GET /api/v1/agents/tools responses.200.items.properties.type: enum value "a2a" in ours, not in seed',
      'POST /api/v1/agents/tools responses.201.properties.type: enum value "a2a" in ours, not in seed',
      'GET /api/v1/agents/tools/{tool_id} responses.200.properties.type: enum value "a2a" in ours, not in seed',
      'PUT /api/v1/agents/tools/{tool_id} responses.200.properties.type: enum value "a2a" in ours, not in seed',
      "GET /api/v1/agents responses.200.items.properties.ai_provider_id: ours nullable, seed not",
      "POST /api/v1/agents responses.201.properties.ai_provider_id: ours nullable, seed not",
      "GET /api/v1/agents/{agent_id} responses.200.properties.ai_provider_id: ours nullable, seed not",
      "PUT /api/v1/agents/{agent_id} responses.200.properties.ai_provider_id: ours nullable, seed not",
    ]);
  });

  it("documents Conduit's own operations", () => {
    const byId = new Map(operations(ours).map(({ method, path: apiPath, operation }) => [operation.operationId, `${method} ${apiPath}`]));
    expect(Object.fromEntries([...byId].filter(([id]) => !operations(seed).some(({ operation }) => operation.operationId === id)))).toEqual(
      {
        getAgentGeneration: "get /api/v1/agents/{agent_id}/generate/{generation_id}",
        listAgentTraces: "get /api/v1/agents/traces",
        getAgentTrace: "get /api/v1/agents/traces/{trace_id}",
        listAiProviders: "get /api/v1/ai-providers",
        createAiProvider: "post /api/v1/ai-providers",
        getAiProvider: "get /api/v1/ai-providers/{provider_id}",
        updateAiProvider: "put /api/v1/ai-providers/{provider_id}",
        deleteAiProvider: "delete /api/v1/ai-providers/{provider_id}",
        createDocument: "post /api/v1/documents",
        listDocuments: "get /api/v1/documents",
        searchDocuments: "post /api/v1/documents/search",
        getDocument: "get /api/v1/documents/{document_id}",
        deleteDocument: "delete /api/v1/documents/{document_id}",
        createMemory: "post /api/v1/memories",
        listMemories: "get /api/v1/memories",
        searchMemories: "post /api/v1/memories/search",
        getMemory: "get /api/v1/memories/{memory_id}",
        deleteMemory: "delete /api/v1/memories/{memory_id}",
        createMemoryEntry: "post /api/v1/memories/{memory_id}/entries",
        listMemoryEntries: "get /api/v1/memories/{memory_id}/entries",
        deleteMemoryEntry: "delete /api/v1/memories/{memory_id}/entries/{entry_id}",
        createAgentChat: "post /api/agents/{agentId}/chat",
        createV1Chat: "post /api/v1/chat",
        getV1Health: "get /api/v1/health",
        getHealth: "get /api/health",
        getOpenApiDocument: "get /api/openapi.json",
        getOrganisation: "get /api/organisation",
        updateOrganisation: "put /api/organisation",
        submitTask: "post /api/agent",
        getTask: "get /api/agent/{conversation_uuid}",
        listApiKeys: "get /api/api-keys",
        createApiKey: "post /api/api-keys",
        getApiKey: "get /api/api-keys/{id}",
        updateApiKey: "put /api/api-keys/{id}",
        revokeApiKey: "delete /api/api-keys/{id}",
        rotateApiKey: "post /api/api-keys/{id}/rotate",
        listPersonalTokens: "get /api/personal-tokens",
        createPersonalToken: "post /api/personal-tokens",
        getPersonalToken: "get /api/personal-tokens/{id}",
        revokePersonalToken: "delete /api/personal-tokens/{id}",
        requestGateDecision: "post /api/agent/tasks/{taskID}/requests",
        logGateEvent: "post /api/agent/tasks/{taskID}/events",
        postMcpMessage: "post /api/mcp",
        postA2aMessage: "post /api/a2a/agents/{agentId}",
        getA2aAgentCard: "get /api/a2a/agents/{agentId}/.well-known/agent-card.json",
        getA2aAgentCardLegacyPath: "get /api/a2a/agents/{agentId}/.well-known/agent.json",
        getGateDecision: "get /api/agent/decisions",
        validateApprovalToken: "post /api/agent/approvals/validate",
        listGateAgents: "get /api/gate/agents",
        createGateAgent: "post /api/gate/agents",
        getGateAgent: "get /api/gate/agents/{id}",
        updateGateAgent: "put /api/gate/agents/{id}",
        regenerateGateAgentKey: "post /api/gate/agents/{id}/regenerate-key",
        listGateTools: "get /api/gate/tools",
        createGateTool: "post /api/gate/tools",
        getGateTool: "get /api/gate/tools/{id}",
        updateGateTool: "put /api/gate/tools/{id}",
        listGateThreads: "get /api/gate/threads",
        getGateThread: "get /api/gate/threads/{thread_id}",
        decideGateThread: "post /api/gate/threads/{thread_id}/decision",
        listChannels: "get /api/channels",
        createChannel: "post /api/channels",
        getChannel: "get /api/channels/{id}",
        updateChannel: "patch /api/channels/{id}",
        deleteChannel: "delete /api/channels/{id}",
        verifyMetaWebhook: "get /api/webhooks/meta/{connectionId}",
        receiveMetaWebhook: "post /api/webhooks/meta/{connectionId}",
        receiveTwilioWebhook: "post /api/webhooks/twilio/{connectionId}",
        receiveEmail: "post /api/webhooks/email/{connectionId}",
        listWidgetKeys: "get /api/widget-keys",
        createWidgetKey: "post /api/widget-keys",
        getWidgetKey: "get /api/widget-keys/{id}",
        updateWidgetKey: "patch /api/widget-keys/{id}",
        revokeWidgetKey: "delete /api/widget-keys/{id}",
        rotateWidgetIdentitySecret: "post /api/widget-keys/{id}/identity-secret",
        startWidgetSession: "post /api/embed/session",
        sendWidgetMessage: "post /api/embed/chat",
        listAutomations: "get /api/automations",
        createAutomation: "post /api/automations",
        getAutomation: "get /api/automations/{id}",
        updateAutomation: "patch /api/automations/{id}",
        deleteAutomation: "delete /api/automations/{id}",
        publishAutomation: "post /api/automations/{id}/publish",
        unpublishAutomation: "post /api/automations/{id}/unpublish",
        rotateAutomationTriggerSecret: "post /api/automations/{id}/trigger-secret",
        listAutomationRuns: "get /api/automations/{id}/runs",
        getAutomationRun: "get /api/automation-runs/{id}",
        rerunAutomationRun: "post /api/automation-runs/{id}/rerun",
        triggerAutomation: "post /api/webhooks/automations/{triggerId}",
        listWebhookEndpoints: "get /api/webhook-endpoints",
        createWebhookEndpoint: "post /api/webhook-endpoints",
        getWebhookEndpoint: "get /api/webhook-endpoints/{id}",
        updateWebhookEndpoint: "patch /api/webhook-endpoints/{id}",
        deleteWebhookEndpoint: "delete /api/webhook-endpoints/{id}",
        rotateWebhookEndpointSecret: "post /api/webhook-endpoints/{id}/rotate-secret",
        createOpenAiChatCompletion: "post /api/openai/v1/chat/completions",
        listOpenAiModels: "get /api/openai/v1/models",
        getOpenAiModel: "get /api/openai/v1/models/{model}",
        testWebhookEndpoint: "post /api/webhook-endpoints/{id}/test",
        listWebhookDeliveries: "get /api/webhook-endpoints/{id}/deliveries",
        resendWebhookDelivery: "post /api/webhook-deliveries/{id}/resend",
      },
    );
  });

  it("describes request bodies with the validating zod schemas", () => {
    // Constraints only zod knows about prove the body schemas are generated, not hand-written.
    expect(properties(ours, "CreateAgentRequest").max_steps).toMatchObject({ type: "integer", minimum: 1, maximum: 100 });
    expect(schema(ours, "CreateAgentGenerationRequest").required).toEqual(["messages"]);
    const traceQuery = node(ours, "paths", "/api/v1/agents/traces", "get").parameters;
    expect(traceQuery).toContainEqual({
      name: "limit",
      in: "query",
      required: false,
      schema: expect.objectContaining({ type: "integer", maximum: 200 }),
    });
  });

  it("describes Conduit's extensions, error envelopes and streams", () => {
    expect(properties(ours, "AgentGenerationResponse")).toHaveProperty("trace_id");
    expect(properties(ours, "AgentGenerationResponse")).toHaveProperty("usage");
    expect(node(properties(ours, "TraceResponse"), "children", "items")).toEqual({ $ref: "#/components/schemas/TraceResponse" });
    const chat = node(ours, "paths", "/api/agents/{agentId}/chat", "post", "responses");
    expect(Object.keys(node(chat, "200", "content"))).toEqual(["application/json", "application/x-ndjson"]);
    expect(node(chat, "429", "content", "application/json", "schema")).toEqual({ $ref: "#/components/schemas/ConduitErrorResponse" });
    expect(node(ours, "paths", "/api/health", "get").security).toEqual([]);
  });

  it.each([
    ["post", "/api/agent", [{ accessToken: [], taskApiKey: [] }], "422", "application/json", "TaskGatewayErrorResponse"],
    ["get", "/api/api-keys/{id}", [{ accessToken: [] }], "404", "application/json", "TaskGatewayErrorResponse"],
    ["put", "/api/organisation", [{ accessToken: [] }], "403", "application/json", "TaskGatewayErrorResponse"],
    ["post", "/api/gate/tools", [{ accessToken: [] }], "400", "application/json", "TaskGatewayErrorResponse"],
    ["post", "/api/agent/tasks/{taskID}/requests", [{ gateKey: [] }], "401", "text/plain", "GateErrorResponse"],
    ["post", "/api/agent/approvals/validate", [{ gateKey: [] }], "403", "text/plain", "GateErrorResponse"],
  ])("gives %s %s its surface's credentials and error body", (method, apiPath, security, status, media, errorSchema) => {
    const operation = node(ours, "paths", apiPath, method);
    expect(operation.security).toEqual(security);
    for (const requirement of security) {
      for (const scheme of Object.keys(requirement)) expect(node(ours, "components", "securitySchemes")).toHaveProperty(scheme);
    }
    expect(node(operation, "responses", status, "content", media, "schema")).toEqual({ $ref: `#/components/schemas/${errorSchema}` });
  });

  it("documents the webhooks Conduit sends, with their signature headers", () => {
    const headersOf = (name: string) =>
      (node(ours, "webhooks", name, "post").parameters as unknown as Json[]).map((parameter) => [parameter.in, parameter.name]);
    expect(node(ours, "webhooks", "taskReply", "post", "requestBody", "content", "application/json", "schema")).toEqual({
      $ref: "#/components/schemas/TaskReplyWebhook",
    });
    expect(headersOf("taskReply")).toEqual([
      ["header", "X-Signature"],
      ["header", "X-Conversation-UUID"],
      ["header", "X-Webhook-Id"],
    ]);
    expect(node(ours, "webhooks", "gateDecision", "post", "requestBody", "content", "application/json", "schema")).toEqual({
      $ref: "#/components/schemas/GateDecisionWebhook",
    });
    expect(headersOf("gateDecision")).toEqual([
      ["header", "webhook-id"],
      ["header", "webhook-timestamp"],
      ["header", "webhook-signature"],
    ]);
  });
});

describe("the compatibility checker", () => {
  const mutated = (mutate: (doc: Json) => void): string[] => {
    const doc = structuredClone(ours);
    mutate(doc);
    return compatibilityProblems(seed, doc);
  };

  it.each<[string, (doc: Json) => void, string]>([
    [
      "a missing request property",
      (doc) => delete properties(doc, "CreateAgentRequest").tool_ids,
      "POST /api/v1/agents requestBody.properties.tool_ids: missing in ours",
    ],
    [
      "a wrong request type",
      (doc) => (properties(doc, "CreateAgentRequest").tool_ids = { type: "string" }),
      "POST /api/v1/agents requestBody.properties.tool_ids: seed type array, ours string",
    ],
    [
      "an integer where the seed sends numbers",
      (doc) => (properties(doc, "CreateAgentRequest").temperature = { type: "integer" }),
      "POST /api/v1/agents requestBody.properties.temperature: seed type number, ours integer",
    ],
    [
      "a missing status",
      (doc) => delete node(doc, "paths", "/api/v1/agents/{agent_id}", "get", "responses")["404"],
      "GET /api/v1/agents/{agent_id} responses.404: missing in ours",
    ],
    [
      "a missing operation",
      (doc) => delete node(doc, "paths", "/api/v1/agents/{agent_id}").delete,
      "DELETE /api/v1/agents/{agent_id}: missing in ours",
    ],
    [
      "a renamed operation",
      (doc) => (node(doc, "paths", "/api/v1/agents").get = { ...node(doc, "paths", "/api/v1/agents", "get"), operationId: "agents" }),
      "GET /api/v1/agents operationId: seed listAgents, ours agents",
    ],
    [
      "a missing query parameter",
      (doc) => (node(doc, "paths", "/api/v1/agents", "get").parameters = []),
      "GET /api/v1/agents parameter query.project_id: missing in ours",
    ],
    [
      "a request field that no longer takes null",
      (doc) => (properties(doc, "UpdateAgentRequest").name = { type: "string" }),
      "PUT /api/v1/agents/{agent_id} requestBody.properties.name: seed nullable, ours not",
    ],
    [
      "an extra required request field",
      (doc) => (schema(doc, "CreateAgentToolRequest").required = ["name", "description"]),
      "POST /api/v1/agents/tools requestBody.required: ours requires description, seed does not",
    ],
    [
      "a request enum missing a seed value",
      (doc) => (properties(doc, "CreateAgentToolRequest").type = { type: "string", enum: ["http", "client", "mcp"] }),
      'POST /api/v1/agents/tools requestBody.properties.type: enum value "soat" in seed, not in ours',
    ],
    [
      "a nested request item of the wrong type",
      (doc) =>
        (node(properties(doc, "SubmitToolOutputsRequest"), "tool_outputs", "items", "properties").tool_call_id = { type: "integer" }),
      "POST /api/v1/agents/{agent_id}/generate/{generation_id}/tool-outputs requestBody.properties.tool_outputs.items.properties.tool_call_id: seed type string, ours integer",
    ],
    [
      "a response enum value the seed does not know",
      (doc) => (properties(doc, "AgentGenerationResponse").status = { type: "string", enum: ["completed", "requires_action", "failed"] }),
      'POST /api/v1/agents/{agent_id}/generate responses.200.properties.status: enum value "failed" in ours, not in seed',
    ],
    [
      "a response field that may be null where the seed promises a value",
      (doc) => (properties(doc, "AgentResponse").id = { type: "string", nullable: true }),
      "GET /api/v1/agents/{agent_id} responses.200.properties.id: ours nullable, seed not",
    ],
    [
      "an error body that may omit `error`",
      (doc) => (schema(doc, "ErrorResponse").required = []),
      "GET /api/v1/agents responses.401.required: seed requires error, ours may omit it",
    ],
    [
      "a missing stream media type",
      (doc) => delete node(doc, "paths", "/api/v1/agents/{agent_id}/generate", "post", "responses", "200", "content")["text/event-stream"],
      "POST /api/v1/agents/{agent_id}/generate responses.200[text/event-stream]: missing in ours",
    ],
    [
      "a wrong item type inside an OpenAPI 3.1 nullable union",
      (doc) => (properties(doc, "AgentResponse").tool_ids = { anyOf: [{ type: "array", items: { type: "integer" } }, { type: "null" }] }),
      "GET /api/v1/agents/{agent_id} responses.200.properties.tool_ids.items: seed type string, ours integer",
    ],
  ])("catches %s", (_name, mutate, expected) => {
    expect(mutated(mutate)).toContain(expected);
  });

  it.each<[string, unknown]>([
    ["type: [string, null]", { type: ["string", "null"] }],
    ["anyOf with a null branch", { anyOf: [{ type: "string" }, { type: "null" }] }],
    ["allOf around a nullable schema", { allOf: [{ type: "string" }], nullable: true, description: "Display name" }],
  ])("accepts null written as %s", (_name, nameSchema) => {
    // Nothing beyond what the unmodified document already reports.
    expect(mutated((doc) => (properties(doc, "UpdateAgentRequest").name = nameSchema))).toEqual(compatibilityProblems(seed, ours));
  });
});
