/**
 * `components.schemas` of the OpenAPI document, generated from the zod schemas that validate
 * requests (lib/agents-api, lib/agents) and describe responses (./schemas), so the document
 * cannot drift from what the handlers accept.
 */
import { z } from "zod";
import * as agentsApi from "@/lib/agents-api/schemas";
import { chatRequestSchema, v1ChatRequestSchema } from "@/lib/agents/schemas";
import * as responses from "./schemas";

export type JsonSchema = Record<string, unknown>;

// Names follow the SOAT Agents API where it names the schema.
const requestSchemas = {
  CreateAgentRequest: agentsApi.createAgentRequest,
  UpdateAgentRequest: agentsApi.updateAgentRequest,
  CreateAgentToolRequest: agentsApi.createToolRequest,
  UpdateAgentToolRequest: agentsApi.updateToolRequest,
  CreateAgentGenerationRequest: agentsApi.createGenerationRequest,
  SubmitToolOutputsRequest: agentsApi.submitToolOutputsRequest,
  CreateActorRequest: agentsApi.createActorRequest,
  CreateAiProviderRequest: agentsApi.createAiProviderRequest,
  UpdateAiProviderRequest: agentsApi.updateAiProviderRequest,
  ChatRequest: chatRequestSchema,
  V1ChatRequest: v1ChatRequestSchema,
};

const responseSchemas = {
  Agent: responses.agentSchema,
  AgentTool: responses.agentToolSchema,
  AgentGenerationResponse: responses.agentGenerationResponseSchema,
  Usage: responses.usageSchema,
  ErrorResponse: responses.errorResponseSchema,
  ConduitError: responses.conduitErrorSchema,
  AiProvider: responses.aiProviderSchema,
  Actor: responses.actorSchema,
  TraceSummary: responses.traceSummarySchema,
  Trace: responses.traceSchema,
  ChatResponse: responses.chatResponseSchema,
  V1ChatResponse: responses.v1ChatResponseSchema,
  HealthResponse: responses.healthResponseSchema,
};

export type SchemaName = keyof typeof requestSchemas | keyof typeof responseSchemas;

export const schemaRef = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

/** Applied to every generated node: keeps the document readable and evolvable. */
function tidy({ jsonSchema }: { jsonSchema: JsonSchema }): void {
  // The format says it; zod's long date-time regex only adds noise for readers and generators.
  if (jsonSchema.format === "date-time") delete jsonSchema.pattern;
  // Responses may gain fields; a closed schema would make strict clients reject them.
  if (jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
  // `.int()` adds the safe-integer range as bounds; they say nothing a client needs.
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
}

/** One zod schema as an OpenAPI 3.0 Schema Object. */
export function toSchemaObject(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  return z.toJSONSchema(schema, { target: "openapi-3.0", io, override: tidy }) as JsonSchema;
}

/** Several zod schemas as named Schema Objects; references between them become `$ref`s. */
function registryToSchemas(schemas: Record<string, z.ZodType>, io: "input" | "output"): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const generated = z.toJSONSchema(registry, {
    target: "openapi-3.0",
    io,
    uri: (id) => `#/components/schemas/${id}`,
    override: tidy,
  }).schemas;
  return Object.fromEntries(Object.entries(generated).map(([id, schema]) => [id, withoutId(schema)]));
}

/** `$id` is not part of an OpenAPI 3.0 Schema Object; the component's name already is its id. */
function withoutId(schema: object): JsonSchema {
  const copy: JsonSchema = { ...schema };
  delete copy.$id;
  return copy;
}

export function componentSchemas(): Record<string, JsonSchema> {
  // Requests are described as clients send them (before defaults), responses as sent.
  return { ...registryToSchemas(requestSchemas, "input"), ...registryToSchemas(responseSchemas, "output") };
}
