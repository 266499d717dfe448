/**
 * The Agents API. `/api/v1/agents…` mirrors the SOAT Agents API path for path (same
 * operationIds, parameters and status codes, plus Conduit's own statuses); AI providers,
 * traces and reading a generation back are Conduit's additions on the same surface.
 */
import { ListAgentTracesQuery } from "@/lib/agents-api/schemas";
import { schemaRef } from "../components";
import { emptyResponse, json, ok, okList, operation, pathParam, queryParam, queryParams, surfaces, type Paths } from "../operation";

const surface = surfaces.agentsApi;
const deleted = { 204: emptyResponse("Deleted") };
const projectFilter = queryParam("project_id", { type: "string" }, "Project public ID to filter by");

const toolPaths: Paths = {
  "/api/v1/agents/tools": {
    post: operation(surface, "createAgentTool", {
      tag: "agentTools",
      summary: "Create an agent tool",
      body: "CreateAgentToolRequest",
      responses: { 201: ok("Agent tool created", "AgentToolResponse") },
      errors: [400, 401, 403, 413, 429],
    }),
    get: operation(surface, "listAgentTools", {
      tag: "agentTools",
      summary: "List agent tools",
      parameters: [projectFilter],
      responses: { 200: okList("List of agent tools", "AgentToolResponse") },
      errors: [401, 403, 429],
    }),
  },
  "/api/v1/agents/tools/{tool_id}": {
    get: operation(surface, "getAgentTool", {
      tag: "agentTools",
      summary: "Get an agent tool",
      parameters: [pathParam("tool_id")],
      responses: { 200: ok("Agent tool", "AgentToolResponse") },
      errors: [401, 403, 404, 429],
    }),
    put: operation(surface, "updateAgentTool", {
      tag: "agentTools",
      summary: "Update an agent tool",
      parameters: [pathParam("tool_id")],
      body: "UpdateAgentToolRequest",
      responses: { 200: ok("Agent tool updated", "AgentToolResponse") },
      errors: [400, 401, 403, 404, 413, 429],
    }),
    delete: operation(surface, "deleteAgentTool", {
      tag: "agentTools",
      summary: "Delete an agent tool",
      parameters: [pathParam("tool_id")],
      responses: deleted,
      errors: [401, 403, 404, 429],
    }),
  },
};

const agentPaths: Paths = {
  "/api/v1/agents": {
    post: operation(surface, "createAgent", {
      tag: "agents",
      summary: "Create an agent",
      body: "CreateAgentRequest",
      responses: { 201: ok("Agent created", "AgentResponse") },
      errors: [400, 401, 403, 404, 413, 429],
    }),
    get: operation(surface, "listAgents", {
      tag: "agents",
      summary: "List agents",
      parameters: [projectFilter],
      responses: { 200: okList("List of agents", "AgentResponse") },
      errors: [401, 403, 429],
    }),
  },
  "/api/v1/agents/{agent_id}": {
    get: operation(surface, "getAgent", {
      tag: "agents",
      summary: "Get an agent",
      parameters: [pathParam("agent_id")],
      responses: { 200: ok("Agent details", "AgentResponse") },
      errors: [401, 403, 404, 429],
    }),
    put: operation(surface, "updateAgent", {
      tag: "agents",
      summary: "Update an agent",
      parameters: [pathParam("agent_id")],
      body: "UpdateAgentRequest",
      responses: { 200: ok("Agent updated", "AgentResponse") },
      errors: [400, 401, 403, 404, 413, 429],
    }),
    delete: operation(surface, "deleteAgent", {
      tag: "agents",
      summary: "Delete an agent",
      parameters: [pathParam("agent_id")],
      responses: deleted,
      errors: [401, 403, 404, 429],
    }),
  },
  "/api/v1/agents/{agent_id}/generate": {
    post: operation(surface, "createAgentGeneration", {
      tag: "agents",
      summary: "Run an agent generation",
      parameters: [pathParam("agent_id")],
      body: "CreateAgentGenerationRequest",
      responses: {
        200: {
          description: "Generation result, or an SSE stream when `stream: true`",
          content: {
            ...json(schemaRef("AgentGenerationResponse")),
            "text/event-stream": {
              schema: {
                type: "string",
                description:
                  'SSE events: `{"type":"text-delta","delta"}`, `{"type":"tool-call",tool_call_id,tool_name,args}`, `{"type":"tool-result",tool_call_id,tool_name,result}`, then `{"type":"done", …AgentGenerationResponse}` or `{"type":"error","error"}`, and finally `data: [DONE]`.',
              },
            },
          },
        },
      },
      errors: [400, 401, 403, 404, 413, 429, 502, 504],
    }),
  },
  "/api/v1/agents/{agent_id}/generate/{generation_id}": {
    get: operation(surface, "getAgentGeneration", {
      tag: "agents",
      summary: "Get a generation's current state",
      description: "Conduit extension: e.g. after a run paused on a gated tool resumed on its own.",
      parameters: [pathParam("agent_id"), pathParam("generation_id")],
      responses: { 200: ok("The generation", "GenerationResponse") },
      errors: [401, 403, 404, 429],
    }),
  },
  "/api/v1/agents/{agent_id}/generate/{generation_id}/tool-outputs": {
    post: operation(surface, "submitAgentToolOutputs", {
      tag: "agents",
      summary: "Submit tool outputs for a paused generation",
      parameters: [pathParam("agent_id"), pathParam("generation_id")],
      body: "SubmitToolOutputsRequest",
      responses: { 200: ok("Generation result after resuming", "AgentGenerationResponse") },
      errors: [400, 401, 403, 404, 413, 429, 502, 504],
    }),
  },
  "/api/v1/agents/{agent_id}/actors": {
    post: operation(surface, "createAgentActor", {
      tag: "agents",
      summary: "Create an actor for an agent",
      parameters: [pathParam("agent_id")],
      body: "CreateActorRequest",
      responses: { 201: ok("Actor created", "ActorResponse") },
      errors: [400, 401, 403, 404, 413, 429],
    }),
  },
};

const tracePaths: Paths = {
  "/api/v1/agents/traces": {
    get: operation(surface, "listAgentTraces", {
      tag: "agentTraces",
      summary: "List traces, newest first",
      parameters: queryParams(ListAgentTracesQuery),
      responses: { 200: okList("Trace summaries", "TraceSummaryResponse") },
      errors: [400, 401, 403, 429],
    }),
  },
  "/api/v1/agents/traces/{trace_id}": {
    get: operation(surface, "getAgentTrace", {
      tag: "agentTraces",
      summary: "Get a trace with its generations, steps and child traces",
      parameters: [pathParam("trace_id")],
      responses: { 200: ok("Trace", "TraceResponse") },
      errors: [401, 403, 404, 429],
    }),
  },
};

const providerPaths: Paths = {
  "/api/v1/ai-providers": {
    get: operation(surface, "listAiProviders", {
      tag: "aiProviders",
      summary: "List AI providers",
      responses: { 200: okList("List of AI providers", "AiProviderResponse") },
      errors: [401, 403, 429],
    }),
    post: operation(surface, "createAiProvider", {
      tag: "aiProviders",
      summary: "Create an AI provider",
      body: "CreateAiProviderRequest",
      responses: { 201: ok("AI provider created", "AiProviderResponse") },
      errors: [400, 401, 403, 413, 429],
    }),
  },
  "/api/v1/ai-providers/{provider_id}": {
    get: operation(surface, "getAiProvider", {
      tag: "aiProviders",
      summary: "Get an AI provider",
      parameters: [pathParam("provider_id")],
      responses: { 200: ok("AI provider", "AiProviderResponse") },
      errors: [401, 403, 404, 429],
    }),
    put: operation(surface, "updateAiProvider", {
      tag: "aiProviders",
      summary: "Update an AI provider",
      parameters: [pathParam("provider_id")],
      body: "UpdateAiProviderRequest",
      responses: { 200: ok("AI provider updated", "AiProviderResponse") },
      errors: [400, 401, 403, 404, 413, 429],
    }),
    delete: operation(surface, "deleteAiProvider", {
      tag: "aiProviders",
      summary: "Delete an AI provider",
      description: "Refused (400) while agents still use it.",
      parameters: [pathParam("provider_id")],
      responses: deleted,
      errors: [400, 401, 403, 404, 429],
    }),
  },
};

export const agentsApiPaths: Paths = { ...toolPaths, ...agentPaths, ...tracePaths, ...providerPaths };
