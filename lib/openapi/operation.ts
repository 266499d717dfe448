/**
 * Building blocks of the document's operations. Each surface fixes how its callers authenticate
 * and how its errors look, so an operation only lists its statuses and the surface renders them.
 */
import type { z } from "zod";
import { schemaRef, toSchemaObject, type JsonSchema, type SchemaName } from "./components";

export type PathItem = Record<string, JsonSchema>;
export type Paths = Record<string, PathItem>;

export const securitySchemes = {
  bearerAuth: { type: "http", scheme: "bearer", description: "A Conduit API key (`cdt_…`)" },
  accessToken: { type: "http", scheme: "bearer", description: "A user's personal access token" },
  taskApiKey: {
    type: "apiKey",
    in: "header",
    name: "X-Api-Key",
    description: "A Conduit API key of the token's user: it decides budget, reply webhook and signing",
  },
  gateKey: { type: "http", scheme: "bearer", description: "A gate agent key (`sg_…`)" },
  visitorToken: { type: "http", scheme: "bearer", description: "A widget visitor token from `POST /api/embed/session`" },
  triggerSecret: { type: "http", scheme: "bearer", description: "An automation trigger's bearer secret (`ats_…`)" },
  webhookSignature: {
    type: "apiKey",
    in: "header",
    name: "webhook-signature",
    description:
      'A Standard Webhooks signature with the trigger\'s signing secret (`whsec_…`), sent with `webhook-id` and `webhook-timestamp`: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`',
  },
};

type SecurityRequirement = Partial<Record<keyof typeof securitySchemes, []>>;

/** Operations that state no security of their own use the Agents API's. */
export const defaultSecurity: SecurityRequirement[] = [{ bearerAuth: [] }];

export interface Surface {
  /** Alternatives, each naming the schemes that must all be presented; empty: public. */
  security: SecurityRequirement[];
  errorBody: { schema: SchemaName; mediaType: "application/json" | "text/plain" };
  /** Surfaces following the task gateway answer a body or query that fails its schema with 422. */
  invalidInputIs422?: boolean;
  /** Personal-token surfaces: each route admits some member roles, and answers the others 403. */
  roleChecked?: boolean;
}

const conduitErrors = { schema: "ConduitErrorResponse", mediaType: "application/json" } as const;
const taskGatewayErrors = { schema: "TaskGatewayErrorResponse", mediaType: "application/json" } as const;

export const surfaces = {
  agentsApi: { security: defaultSecurity, errorBody: { schema: "ErrorResponse", mediaType: "application/json" } },
  /** Chat, v1 chat and v1 health: the Agents API's key, Conduit's error envelope. */
  keyedConduit: { security: defaultSecurity, errorBody: conduitErrors },
  public: { security: [], errorBody: conduitErrors },
  taskGateway: { security: [{ accessToken: [], taskApiKey: [] }], errorBody: taskGatewayErrors, roleChecked: true },
  keyManagement: { security: [{ accessToken: [] }], errorBody: taskGatewayErrors, roleChecked: true },
  /** Organisation settings and gate administration: the key management's envelope, like every personal-token call. */
  administration: { security: [{ accessToken: [] }], errorBody: taskGatewayErrors, invalidInputIs422: true, roleChecked: true },
  gateAgent: { security: [{ gateKey: [] }], errorBody: { schema: "GateErrorResponse", mediaType: "text/plain" } },
  /** The widget's iframe, with the visitor token its session returned. */
  widgetVisitor: { security: [{ visitorToken: [] }], errorBody: conduitErrors },
  /** Vendors' channel callbacks: no Conduit credential; each checks its vendor's signature over the raw body. */
  channelCallbacks: { security: [], errorBody: conduitErrors },
  /** The MCP server: an API key (agents, tasks) or a gate agent key (approvals); refusals are JSON-RPC errors. */
  mcp: { security: [{ bearerAuth: [] }, { gateKey: [] }], errorBody: { schema: "JsonRpcErrorResponse", mediaType: "application/json" } },
  /** The A2A server: an API key as the Bearer token; refusals are JSON-RPC errors. */
  a2a: { security: defaultSecurity, errorBody: { schema: "JsonRpcErrorResponse", mediaType: "application/json" } },
  /** The A2A agent cards: public discovery documents, with the A2A server's errors. */
  a2aCard: { security: [], errorBody: { schema: "JsonRpcErrorResponse", mediaType: "application/json" } },
  /** The OpenAI-compatible API: an API key as the client's `apiKey`, OpenAI's error envelope. */
  openAi: { security: defaultSecurity, errorBody: { schema: "OpenAiErrorResponse", mediaType: "application/json" } },
  /** Automation triggers: the trigger's bearer secret, or a Standard Webhooks signature with its signing secret. */
  automationTrigger: { security: [{ triggerSecret: [] }, { webhookSignature: [] }], errorBody: conduitErrors },
} satisfies Record<string, Surface>;

export const tags = {
  agents: { name: "Agents", description: "Manage AI agents and run generations" },
  agentTools: { name: "Agent Tools", description: "Manage agent tools" },
  agentTraces: { name: "Agent Traces", description: "View agent traces" },
  aiProviders: { name: "AI Providers", description: "Manage the model providers agents run on" },
  documents: { name: "Documents", description: "Documents agents retrieve passages from, chunked along their headings" },
  memories: { name: "Memories", description: "Named collections of short entries agents retrieve, and write with write_memory" },
  chat: { name: "Chat", description: "Talk to an agent" },
  tasks: { name: "Tasks", description: "Hand an agent a plain-English task; the answer comes by webhook or polling" },
  apiKeys: { name: "API Keys", description: "Manage your API keys: budgets, reply webhooks, usage" },
  organisation: { name: "Organisation", description: "API channel switch, billing mode and plan limits" },
  personalTokens: { name: "Personal Access Tokens", description: "Create, list and revoke your own personal access tokens" },
  automations: { name: "Automations", description: "Steps run on a webhook: agents, HTTP calls, conditions and delays, with run history" },
  automationTriggers: { name: "Automation Triggers", description: "Where your services start automation runs" },
  channels: { name: "Channels", description: "Connect agents to WhatsApp, Messenger, Instagram, Twilio and email" },
  webhookEndpoints: {
    name: "Event Webhooks",
    description: "Endpoints that receive the organisation's events, signed the Standard Webhooks way",
  },
  widget: { name: "Website Widget", description: "Publishable widget keys, and the endpoints the embedded chat calls" },
  channelCallbacks: { name: "Channel Callbacks", description: "Where Meta, Twilio and your mail service deliver messages" },
  approvalGate: { name: "Approval Gate", description: "For gate agents: ask before risky actions, log events, poll decisions" },
  gateAdministration: { name: "Gate Administration", description: "Register gate agents, and tools with their rules" },
  gateReview: { name: "Gate Review", description: "Review threads and decide" },
  mcp: { name: "MCP", description: "Conduit as a Model Context Protocol server: agents, tasks and approvals as tools" },
  a2a: { name: "A2A", description: "Each agent as an Agent2Agent (A2A v0.3) server: its public card and JSON-RPC endpoint" },
  openAi: { name: "OpenAI Compatible", description: "Agents as models for OpenAI's clients: chat completions and the model list" },
  meta: { name: "Meta", description: "Health and API description" },
};

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 502 | 504;

const reasons: Record<ErrorStatus, string> = {
  400: "Bad request: malformed JSON, invalid fields, or a request the current state does not allow",
  401: "Missing or invalid credentials",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict: a name that must be unique is taken, or the run paused (a client tool, or a gated call under review), which this endpoint cannot hand back",
  413: "Request body too large",
  415: "Unsupported content type",
  422: "Invalid request body",
  429: "Rate limited, or a budget or plan limit is reached",
  502: "The model provider failed or could not be reached",
  504: "The run timed out",
};

export const json = (schema: JsonSchema) => ({ "application/json": { schema } });
export const ok = (description: string, name: SchemaName) => ({ description, content: json(schemaRef(name)) });
export const okList = (description: string, name: SchemaName) => ({
  description,
  content: json({ type: "array", items: schemaRef(name) }),
});
export const emptyResponse = (description: string) => ({ description });

export const pathParam = (name: string, description?: string) => ({
  name,
  in: "path",
  required: true,
  schema: { type: "string" },
  ...(description ? { description } : {}),
});

export const queryParam = (name: string, schema: JsonSchema, description: string) => ({
  name,
  in: "query",
  required: false,
  schema,
  description,
});

/** A query-string zod object as one OpenAPI parameter per field. */
export function queryParams(schema: z.ZodObject): JsonSchema[] {
  const object = toSchemaObject(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: "query",
    required: object.required?.includes(name) ?? false,
    schema: property,
  }));
}

interface OperationSpec {
  tag: keyof typeof tags;
  summary: string;
  description?: string;
  parameters?: JsonSchema[];
  body?: SchemaName;
  /** The body may be left out altogether (every field is optional; no body is `{}`). */
  bodyOptional?: boolean;
  /** A body that is not one of Conduit's JSON schemas (a vendor's form post, raw mail), by media type. */
  bodyContent?: JsonSchema;
  responses: Partial<Record<200 | 201 | 202 | 204, JsonSchema>>;
  /** Rendered in the surface's error body. */
  errors: readonly ErrorStatus[];
}

export function operation(surface: Surface, operationId: string, spec: OperationSpec): JsonSchema {
  const errorContent = { [surface.errorBody.mediaType]: { schema: schemaRef(surface.errorBody.schema) } };
  const takesInput = spec.body !== undefined || (spec.parameters ?? []).some((parameter) => parameter.in === "query");
  const implied: ErrorStatus[] = [
    ...(surface.invalidInputIs422 && takesInput ? [422 as const] : []),
    ...(surface.roleChecked ? [403 as const] : []),
  ];
  const errors = [...spec.errors, ...implied.filter((status) => !spec.errors.includes(status))].sort((a, b) => a - b);
  return {
    tags: [tags[spec.tag].name],
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    operationId,
    ...(surface.security === defaultSecurity ? {} : { security: surface.security }),
    ...(spec.parameters ? { parameters: spec.parameters } : {}),
    ...(spec.body ? { requestBody: { required: !spec.bodyOptional, content: json(schemaRef(spec.body)) } } : {}),
    ...(spec.bodyContent ? { requestBody: { required: true, content: spec.bodyContent } } : {}),
    responses: {
      ...spec.responses,
      ...Object.fromEntries(errors.map((status) => [status, { description: reasons[status], content: errorContent }])),
    },
  };
}
