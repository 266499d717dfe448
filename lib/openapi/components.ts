/**
 * `components.schemas` of the OpenAPI document, generated from the zod schemas that validate
 * requests (in the modules that handle them) and describe responses and webhook payloads
 * (./schemas), so the document cannot drift from what the handlers accept and serialize.
 */
import { z } from "zod";
import * as agentsApi from "@/lib/agents-api/schemas";
import { ChatRequest, V1ChatRequest } from "@/lib/agents/schemas";
import { ChatCompletionRequest } from "@/lib/doors/openai";
import { CreateGateAgentRequest, UpdateGateAgentRequest } from "@/lib/gate/agents";
import { gateRuleInput } from "@/lib/gate/rules";
import { GateDecisionRequest, GateEventRequest, ReviewerDecisionRequest } from "@/lib/gate";
import { ValidateApprovalTokenRequest } from "@/lib/gate/tokens";
import { CreateGateToolRequest, MAX_GATE_RULES, UpdateGateToolRequest } from "@/lib/gate/tools";
import { CreatePersonalTokenRequest } from "@/lib/auth/personal-tokens";
import { CreateAutomationRequest, UpdateAutomationRequest } from "@/lib/automations/schemas";
import { CreateChannelRequest, UpdateChannelRequest } from "@/lib/channels";
import { CreateWidgetKeyRequest, StartWidgetSessionRequest, UpdateWidgetKeyRequest, WidgetChatRequest } from "@/lib/widget";
import { CreateApiKeyRequest, UpdateApiKeyRequest } from "@/lib/keys/manage";
import { UpdateOrganisationRequest } from "@/lib/orgs/settings";
import { submitTaskRequest } from "@/lib/tasks";
import { CreateWebhookEndpointRequest, UpdateWebhookEndpointRequest } from "@/lib/webhooks/schemas";
import * as responses from "@/lib/contracts";

export type JsonSchema = Record<string, unknown>;

// The body schemas take gate rules as unknown so that validateRule can name the rule in its
// messages; the document shows the rules validateRule accepts.
const gateRules = z.array(gateRuleInput).max(MAX_GATE_RULES);

const requestSchemas = {
  CreateAgentRequest: agentsApi.CreateAgentRequest,
  UpdateAgentRequest: agentsApi.UpdateAgentRequest,
  CreateAgentToolRequest: agentsApi.CreateAgentToolRequest,
  UpdateAgentToolRequest: agentsApi.UpdateAgentToolRequest,
  CreateAgentGenerationRequest: agentsApi.CreateAgentGenerationRequest,
  SubmitToolOutputsRequest: agentsApi.SubmitToolOutputsRequest,
  CreateActorRequest: agentsApi.CreateActorRequest,
  CreateAiProviderRequest: agentsApi.CreateAiProviderRequest,
  UpdateAiProviderRequest: agentsApi.UpdateAiProviderRequest,
  CreateDocumentRequest: agentsApi.CreateDocumentRequest,
  SearchDocumentsRequest: agentsApi.SearchDocumentsRequest,
  CreateMemoryRequest: agentsApi.CreateMemoryRequest,
  CreateMemoryEntryRequest: agentsApi.CreateMemoryEntryRequest,
  SearchMemoriesRequest: agentsApi.SearchMemoriesRequest,
  ChatRequest,
  V1ChatRequest,
  ChatCompletionRequest,
  SubmitTaskRequest: submitTaskRequest,
  CreateApiKeyRequest,
  UpdateApiKeyRequest,
  UpdateOrganisationRequest,
  CreatePersonalTokenRequest,
  CreateChannelRequest,
  UpdateChannelRequest,
  CreateAutomationRequest,
  UpdateAutomationRequest,
  CreateWidgetKeyRequest,
  UpdateWidgetKeyRequest,
  StartWidgetSessionRequest,
  WidgetChatRequest,
  CreateGateAgentRequest,
  UpdateGateAgentRequest,
  CreateGateToolRequest: CreateGateToolRequest.extend({ rules: gateRules.optional() }),
  UpdateGateToolRequest: UpdateGateToolRequest.extend({
    rules: gateRules.optional().meta({ description: "Replaces every rule of the tool, in order" }),
  }),
  GateDecisionRequest,
  GateEventRequest,
  ReviewerDecisionRequest,
  ValidateApprovalTokenRequest,
  CreateWebhookEndpointRequest,
  UpdateWebhookEndpointRequest,
};

export type SchemaName = keyof typeof requestSchemas | keyof typeof responses;

export const schemaRef = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

/** Formats whose regex zod spells out as `pattern` too. */
const FORMATS_WITH_PATTERN = new Set(["date-time", "uuid"]);

const isStringSchema = (schema: unknown) =>
  typeof schema === "object" && schema !== null && Object.keys(schema).length === 1 && "type" in schema && schema.type === "string";

/** Applied to every generated node: keeps the document readable and evolvable. */
function tidy({ jsonSchema }: { jsonSchema: JsonSchema }): void {
  // The format says it; zod's long regexes only add noise for readers and generators.
  if (typeof jsonSchema.format === "string" && FORMATS_WITH_PATTERN.has(jsonSchema.format)) delete jsonSchema.pattern;
  // Response schemas are strict so the tests catch undocumented fields, but the document stays
  // open: responses may gain fields, and a closed schema would make strict clients reject them.
  if (jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
  // Keys of a JSON object are strings anyway.
  if (isStringSchema(jsonSchema.propertyNames)) delete jsonSchema.propertyNames;
  // `.int()` adds the safe-integer range as bounds; they say nothing a client needs.
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
}

/** `$schema` and `$id` say nothing inside an OpenAPI document: its dialect is the default and a component's name is its id. */
function withoutIdentity(schema: object): JsonSchema {
  const copy: JsonSchema = { ...schema };
  delete copy.$schema;
  delete copy.$id;
  return copy;
}

/** One zod schema as an OpenAPI 3.1 Schema Object (JSON Schema 2020-12). */
export function toSchemaObject(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  return withoutIdentity(z.toJSONSchema(schema, { target: "draft-2020-12", io, override: tidy }));
}

/** Several zod schemas as named Schema Objects; references between them become `$ref`s. */
function registryToSchemas(schemas: Record<string, z.ZodType>, io: "input" | "output"): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const generated = z.toJSONSchema(registry, {
    target: "draft-2020-12",
    io,
    uri: (id) => `#/components/schemas/${id}`,
    override: tidy,
  }).schemas;
  return Object.fromEntries(Object.entries(generated).map(([id, schema]) => [id, withoutIdentity(schema)]));
}

export function componentSchemas(): Record<string, JsonSchema> {
  // Requests are described as clients send them (before defaults), responses as sent.
  return { ...registryToSchemas(requestSchemas, "input"), ...registryToSchemas(responses, "output") };
}
