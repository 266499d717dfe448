/** Response bodies of Conduit's own surfaces: chat, v1 chat, health, organisation settings and personal access tokens. */
import { z } from "zod";
import { timestamp } from "./fields";
import { GenerationResponse, Usage } from "./agents-api";

/** Conduit's error envelope (chat, v1 chat, health, organisation, gate administration). */
export const ConduitErrorResponse = z.strictObject({
  error: z.strictObject({
    code: z.string().meta({ example: "VALIDATION_FAILED" }),
    message: z.string(),
    details: z.array(z.string()).optional().meta({ description: "One entry per problem, for validation failures" }),
    request_id: z.string().meta({ description: "Quote it when reporting a problem" }),
  }),
});

/** `POST /api/agents/{agentId}/chat`, and the `done` line of its NDJSON stream. */
export const ChatResponse = z.strictObject({
  id: z.string().meta({ description: "The reply's id in the conversation record" }),
  agent_id: z.string(),
  model: z.string().nullable().meta({ description: "The model that answered; null if none ran" }),
  status: z.enum(["completed", "requires_action"]).meta({ description: "requires_action: the run paused, see tool_calls" }),
  message: z.strictObject({ role: z.enum(["assistant"]), content: z.string() }),
  finish_reason: z.string(),
  usage: Usage,
  generation_id: z.string().meta({ description: "The run, in the Agents API (GET /api/v1/agents/{agent_id}/generate/{generation_id})" }),
  trace_id: z.string(),
  tool_calls: GenerationResponse.shape.tool_calls
    .unwrap()
    .optional()
    .meta({ description: "What a paused run waits for; answer client tools with …/generate/{generation_id}/tool-outputs" }),
});
export type ChatResponse = z.input<typeof ChatResponse>;

export const V1ChatResponse = z.strictObject({
  message_id: z.string(),
  employee_id: z.string(),
  content: z.string(),
});
export type V1ChatResponse = z.input<typeof V1ChatResponse>;

export const HealthResponse = z.strictObject({ status: z.enum(["ok"]) });

export const OrganisationResponse = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  api_channel_enabled: z.boolean().meta({ description: "When off, every key-authenticated API call answers 403" }),
  billing_mode: z.enum(["hosted", "byok"]),
  monthly_message_limit: z.number().int().nullable().meta({ description: "Messages per calendar month (UTC); null: unlimited" }),
  monthly_token_limit: z.number().int().nullable().meta({ description: "Tokens per calendar month (UTC); null: unlimited" }),
  created_at: timestamp,
});
export type OrganisationResponse = z.input<typeof OrganisationResponse>;

/** A personal access token as listed: never the token itself. */
export const PersonalTokenResponse = z.strictObject({
  id: z.string().meta({ description: "Public ID of the token", example: "pat_3kTq9XbZ1mNc7VwA" }),
  name: z.string(),
  start: z.string().meta({ description: "The token's first characters, to recognise it" }),
  last4: z.string().nullable().meta({ description: "The token's last four characters; null for tokens created before they were recorded" }),
  created_at: timestamp,
  last_used_at: timestamp.nullable().meta({ description: "Recorded at most once a minute" }),
  expires_at: timestamp.nullable().meta({ description: "null: never expires" }),
  revoked_at: timestamp.nullable(),
});
export type PersonalTokenResponse = z.input<typeof PersonalTokenResponse>;

export const PersonalTokenListResponse = z.strictObject({ data: z.array(PersonalTokenResponse) });

/** The only response that shows the token. */
export const CreatePersonalTokenResponse = PersonalTokenResponse.extend({
  token: z.string().meta({ description: "The token itself (`cdtu_…`), shown only here" }),
});
export type CreatePersonalTokenResponse = z.input<typeof CreatePersonalTokenResponse>;

/**
 * The JSON-RPC servers' refusals (MCP, A2A) as JSON-RPC errors: before any message is read (bad
 * key, rate limit, malformed body), or, on A2A, inside a method.
 */
export const JsonRpcErrorResponse = z.strictObject({
  jsonrpc: z.literal("2.0"),
  error: z.strictObject({
    code: z.number().int().meta({
      description:
        "-32700 unreadable JSON, -32600 invalid request, -32601 unknown method, -32602 invalid params, A2A's -32001 task not found, -32002 task not cancelable, -32005 content type not supported, -32000 anything else",
    }),
    message: z.string(),
    data: z
      .strictObject({
        code: z.string().meta({ example: "INVALID_API_KEY" }),
        status: z.number().int().meta({ description: "The HTTP status Conduit's code stands for", example: 401 }),
        details: z.array(z.string()).optional(),
        request_id: z.string(),
      })
      .optional()
      .meta({ description: "Conduit's error code, its HTTP status and the request id (absent on the MCP transport's own refusals)" }),
  }),
  id: z.union([z.string(), z.number(), z.null()]).meta({ description: "The request's id; null when the request could not be read" }),
});
