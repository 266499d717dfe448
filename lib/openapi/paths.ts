/**
 * The operations of Conduit's HTTP API. The `/api/v1/agents…` operations mirror the SOAT
 * Agents API path for path (same operationIds, parameters and status codes); the rest are
 * Conduit's own.
 */
import type { z } from "zod";
import { listTracesQuery } from "@/lib/agents-api/schemas";
import { schemaRef, toSchemaObject, type JsonSchema, type SchemaName } from "./components";

type Status = 200 | 201 | 204 | 400 | 401 | 403 | 404 | 413 | 429 | 502 | 504;
type Responses = Partial<Record<Status, JsonSchema>>;
type PathItem = Record<string, JsonSchema>;

const reasons: Record<Status, string> = {
  200: "OK",
  201: "Created",
  204: "Deleted",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not found",
  413: "Request body too large",
  429: "Rate limited",
  502: "The model provider failed or could not be reached",
  504: "The run timed out",
};

const json = (schema: JsonSchema) => ({ "application/json": { schema } });
const ok = (description: string, schema: JsonSchema) => ({ description, content: json(schema) });
const listOf = (name: SchemaName) => ({ type: "array", items: schemaRef(name) });
const deleted = { 204: { description: reasons[204] } };

/** Error responses of the given statuses, all with one body schema. */
function errors(schema: SchemaName, statuses: Status[]): Responses {
  return Object.fromEntries(statuses.map((status) => [status, ok(reasons[status], schemaRef(schema))]));
}
const agentsApiErrors = (...statuses: Status[]) => errors("ErrorResponse", statuses);
const conduitErrors = (...statuses: Status[]) => errors("ConduitError", statuses);

const pathParam = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } });
const projectFilter = {
  name: "project_id",
  in: "query",
  required: false,
  schema: { type: "string" },
  description: "Project public ID to filter by",
};

/** A query-string zod object as one OpenAPI parameter per field. */
function queryParams(schema: z.ZodObject): JsonSchema[] {
  const object = toSchemaObject(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: "query",
    required: object.required?.includes(name) ?? false,
    schema: property,
  }));
}

interface OperationSpec {
  tag: string;
  summary: string;
  parameters?: JsonSchema[];
  body?: SchemaName;
  responses: Responses;
  /** Unauthenticated operations override the document-wide bearer requirement. */
  public?: true;
}

function operation(operationId: string, spec: OperationSpec): JsonSchema {
  return {
    tags: [spec.tag],
    summary: spec.summary,
    operationId,
    ...(spec.public ? { security: [] } : {}),
    ...(spec.parameters ? { parameters: spec.parameters } : {}),
    ...(spec.body ? { requestBody: { required: true, content: json(schemaRef(spec.body)) } } : {}),
    responses: spec.responses,
  };
}

const AGENTS = "Agents";
const TOOLS = "Agent Tools";
const TRACES = "Agent Traces";
const PROVIDERS = "AI Providers";
const CHAT = "Chat";
const META = "Meta";

export const tags = [
  { name: AGENTS, description: "Manage AI agents and run generations" },
  { name: TOOLS, description: "Manage agent tools" },
  { name: TRACES, description: "View agent traces" },
  { name: PROVIDERS, description: "Manage the model providers agents run on" },
  { name: CHAT, description: "Talk to an agent" },
  { name: META, description: "Health and API description" },
];

const agentsPaths: Record<string, PathItem> = {
  "/api/v1/agents/tools": {
    post: operation("createAgentTool", {
      tag: TOOLS,
      summary: "Create an agent tool",
      body: "CreateAgentToolRequest",
      responses: { 201: ok("Agent tool created", schemaRef("AgentTool")), ...agentsApiErrors(400, 401, 403) },
    }),
    get: operation("listAgentTools", {
      tag: TOOLS,
      summary: "List agent tools",
      parameters: [projectFilter],
      responses: { 200: ok("List of agent tools", listOf("AgentTool")), ...agentsApiErrors(401, 403) },
    }),
  },
  "/api/v1/agents/tools/{tool_id}": {
    get: operation("getAgentTool", {
      tag: TOOLS,
      summary: "Get an agent tool",
      parameters: [pathParam("tool_id")],
      responses: { 200: ok("Agent tool", schemaRef("AgentTool")), ...agentsApiErrors(401, 403, 404) },
    }),
    put: operation("updateAgentTool", {
      tag: TOOLS,
      summary: "Update an agent tool",
      parameters: [pathParam("tool_id")],
      body: "UpdateAgentToolRequest",
      responses: { 200: ok("Agent tool updated", schemaRef("AgentTool")), ...agentsApiErrors(401, 403, 404) },
    }),
    delete: operation("deleteAgentTool", {
      tag: TOOLS,
      summary: "Delete an agent tool",
      parameters: [pathParam("tool_id")],
      responses: { ...deleted, ...agentsApiErrors(401, 403, 404) },
    }),
  },
  "/api/v1/agents": {
    post: operation("createAgent", {
      tag: AGENTS,
      summary: "Create an agent",
      body: "CreateAgentRequest",
      responses: { 201: ok("Agent created", schemaRef("Agent")), ...agentsApiErrors(400, 401, 403, 404) },
    }),
    get: operation("listAgents", {
      tag: AGENTS,
      summary: "List agents",
      parameters: [projectFilter],
      responses: { 200: ok("List of agents", listOf("Agent")), ...agentsApiErrors(401, 403) },
    }),
  },
  "/api/v1/agents/{agent_id}": {
    get: operation("getAgent", {
      tag: AGENTS,
      summary: "Get an agent",
      parameters: [pathParam("agent_id")],
      responses: { 200: ok("Agent details", schemaRef("Agent")), ...agentsApiErrors(401, 403, 404) },
    }),
    put: operation("updateAgent", {
      tag: AGENTS,
      summary: "Update an agent",
      parameters: [pathParam("agent_id")],
      body: "UpdateAgentRequest",
      responses: { 200: ok("Agent updated", schemaRef("Agent")), ...agentsApiErrors(401, 403, 404) },
    }),
    delete: operation("deleteAgent", {
      tag: AGENTS,
      summary: "Delete an agent",
      parameters: [pathParam("agent_id")],
      responses: { ...deleted, ...agentsApiErrors(401, 403, 404) },
    }),
  },
  "/api/v1/agents/{agent_id}/generate": {
    post: operation("createAgentGeneration", {
      tag: AGENTS,
      summary: "Run an agent generation",
      parameters: [pathParam("agent_id")],
      body: "CreateAgentGenerationRequest",
      responses: {
        200: {
          description: "Generation result, or an SSE stream when `stream: true`",
          content: {
            ...json(schemaRef("AgentGenerationResponse")),
            "text/event-stream": {
              schema: { type: "string", description: "SSE stream of delta chunks ending with `data: [DONE]`." },
            },
          },
        },
        ...agentsApiErrors(400, 401, 403, 404),
      },
    }),
  },
  "/api/v1/agents/{agent_id}/generate/{generation_id}/tool-outputs": {
    post: operation("submitAgentToolOutputs", {
      tag: AGENTS,
      summary: "Submit tool outputs for a paused generation",
      parameters: [pathParam("agent_id"), pathParam("generation_id")],
      body: "SubmitToolOutputsRequest",
      responses: {
        200: ok("Generation result after resuming", schemaRef("AgentGenerationResponse")),
        ...agentsApiErrors(400, 401, 403, 404),
      },
    }),
  },
  "/api/v1/agents/{agent_id}/actors": {
    post: operation("createAgentActor", {
      tag: AGENTS,
      summary: "Create an actor for an agent",
      parameters: [pathParam("agent_id")],
      body: "CreateActorRequest",
      responses: { 201: ok("Actor created", schemaRef("Actor")), ...agentsApiErrors(400, 401, 403, 404) },
    }),
  },
  "/api/v1/agents/traces": {
    get: operation("listAgentTraces", {
      tag: TRACES,
      summary: "List traces, newest first",
      parameters: queryParams(listTracesQuery),
      responses: { 200: ok("Trace summaries", listOf("TraceSummary")), ...agentsApiErrors(400, 401, 403) },
    }),
  },
  "/api/v1/agents/traces/{trace_id}": {
    get: operation("getAgentTrace", {
      tag: TRACES,
      summary: "Get a trace with its generations, steps and child traces",
      parameters: [pathParam("trace_id")],
      responses: { 200: ok("Trace", schemaRef("Trace")), ...agentsApiErrors(401, 403, 404) },
    }),
  },
};

const providerPaths: Record<string, PathItem> = {
  "/api/v1/ai-providers": {
    get: operation("listAiProviders", {
      tag: PROVIDERS,
      summary: "List AI providers",
      responses: { 200: ok("List of AI providers", listOf("AiProvider")), ...agentsApiErrors(401, 403) },
    }),
    post: operation("createAiProvider", {
      tag: PROVIDERS,
      summary: "Create an AI provider",
      body: "CreateAiProviderRequest",
      responses: { 201: ok("AI provider created", schemaRef("AiProvider")), ...agentsApiErrors(400, 401, 403) },
    }),
  },
  "/api/v1/ai-providers/{provider_id}": {
    get: operation("getAiProvider", {
      tag: PROVIDERS,
      summary: "Get an AI provider",
      parameters: [pathParam("provider_id")],
      responses: { 200: ok("AI provider", schemaRef("AiProvider")), ...agentsApiErrors(401, 403, 404) },
    }),
    put: operation("updateAiProvider", {
      tag: PROVIDERS,
      summary: "Update an AI provider",
      parameters: [pathParam("provider_id")],
      body: "UpdateAiProviderRequest",
      responses: { 200: ok("AI provider updated", schemaRef("AiProvider")), ...agentsApiErrors(400, 401, 403, 404) },
    }),
    delete: operation("deleteAiProvider", {
      tag: PROVIDERS,
      summary: "Delete an AI provider",
      parameters: [pathParam("provider_id")],
      responses: { ...deleted, ...agentsApiErrors(401, 403, 404) },
    }),
  },
};

// Both chat doors fail like the model call under them: body limits, rate limits, upstream trouble.
const chatErrors = conduitErrors(400, 401, 403, 404, 413, 429, 502, 504);

const conduitPaths: Record<string, PathItem> = {
  "/api/agents/{agentId}/chat": {
    post: operation("createAgentChat", {
      tag: CHAT,
      summary: "Chat with an agent",
      parameters: [pathParam("agentId")],
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
                  'One JSON object per line: `{"type":"delta","content"}` chunks, then `{"type":"done", …ChatResponse}` or `{"type":"error","error":{code,message,request_id}}`.',
              },
            },
          },
        },
        ...chatErrors,
      },
    }),
  },
  "/api/v1/chat": {
    post: operation("createV1Chat", {
      tag: CHAT,
      summary: "Ask an agent (employee) and wait for the answer",
      body: "V1ChatRequest",
      responses: { 200: ok("The agent's answer", schemaRef("V1ChatResponse")), ...chatErrors },
    }),
  },
  "/api/v1/health": {
    get: operation("getV1Health", {
      tag: META,
      summary: "Check that an API key works and the service is up",
      responses: { 200: ok("Healthy", schemaRef("HealthResponse")), ...conduitErrors(401, 429) },
    }),
  },
  "/api/health": {
    get: operation("getHealth", {
      tag: META,
      summary: "Liveness probe",
      public: true,
      responses: { 200: ok("Healthy", schemaRef("HealthResponse")) },
    }),
  },
  "/api/openapi.json": {
    get: operation("getOpenApiDocument", {
      tag: META,
      summary: "This OpenAPI document",
      public: true,
      responses: { 200: ok("OpenAPI 3.0 document", { type: "object" }) },
    }),
  },
};

export function apiPaths(): Record<string, PathItem> {
  return { ...agentsPaths, ...providerPaths, ...conduitPaths };
}
