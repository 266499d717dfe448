/**
 * Response bodies of Conduit's HTTP API. Agents API shapes follow the SOAT Agents API field
 * for field (plus marked Conduit extensions); every field is always present, `null` when
 * it does not apply, so clients never have to tell "missing" from "empty".
 */
import { z } from "zod";
import { aiProviderTypes, createAgentRequest, createToolRequest, toolTypes } from "@/lib/agents-api/schemas";

const jsonObject = z.record(z.string(), z.unknown());
const timestamp = z.iso.datetime();
const publicId = (what: string, example: string) => z.string().meta({ description: `Public ID of the ${what}`, example });
const projectId = publicId("owning project", "proj_V1StGXR8Z5jdHi6B");

export const usageSchema = z.object({
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  total_tokens: z.number().int(),
});

export const agentSchema = z.object({
  id: publicId("agent", "agt_V1StGXR8Z5jdHi6B"),
  project_id: projectId,
  ai_provider_id: publicId("AI provider", "aip_V1StGXR8Z5jdHi6B"),
  name: z.string().nullable(),
  instructions: z.string().nullable(),
  model: z.string().nullable(),
  tool_ids: z.array(z.string()).nullable(),
  max_steps: z.number().int().nullable(),
  tool_choice: jsonObject.nullable(),
  stop_conditions: z.array(jsonObject).nullable(),
  active_tool_ids: z.array(z.string()).nullable(),
  step_rules: z.array(jsonObject).nullable(),
  boundary_policy: jsonObject.nullable(),
  temperature: z.number().nullable(),
  // The stored config is exactly what the request accepted.
  knowledge_config: createAgentRequest.shape.knowledge_config.unwrap().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const agentToolSchema = z.object({
  id: publicId("agent tool", "agt_tool_V1StGXR8Z5jdHi6B"),
  project_id: projectId,
  name: z.string(),
  type: z.enum(toolTypes),
  description: z.string().nullable(),
  parameters: jsonObject.nullable().meta({ description: "JSON Schema for tool input" }),
  execute: createToolRequest.shape.execute.unwrap().nullable(),
  mcp: createToolRequest.shape.mcp.unwrap().nullable(),
  actions: z.array(z.string()).nullable(),
  preset_parameters: jsonObject.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const agentGenerationResponseSchema = z.object({
  id: publicId("generation", "agt_gen_V1StGXR8Z5jdHi6B"),
  status: z.enum(["completed", "requires_action"]),
  text: z.string().nullable().meta({ description: "Final text output (when completed)" }),
  tool_calls: z
    .array(z.object({ tool_call_id: z.string(), tool_name: z.string(), args: jsonObject }))
    .nullable()
    .meta({ description: "Pending tool calls (when requires_action)" }),
  trace_id: z.string().meta({ description: "Conduit extension: the trace this generation belongs to" }),
  usage: usageSchema.meta({ description: "Conduit extension: tokens used by this generation" }),
});

/** The Agents API error body. */
export const errorResponseSchema = z.object({ error: z.string().meta({ example: "Unauthorized" }) });

/** Conduit's own error envelope (chat, v1 chat, health). */
export const conduitErrorSchema = z.object({
  error: z.object({
    code: z.string().meta({ example: "VALIDATION_FAILED" }),
    message: z.string(),
    details: z.array(z.string()).optional(),
    request_id: z.string().meta({ description: "Quote it when reporting a problem" }),
  }),
});

export const aiProviderSchema = z.object({
  id: publicId("AI provider", "aip_V1StGXR8Z5jdHi6B"),
  project_id: projectId,
  name: z.string(),
  type: z.enum(aiProviderTypes),
  base_url: z.string().nullable(),
  default_model: z.string().nullable(),
  // The key itself is write-only.
  has_api_key: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const actorSchema = z.object({
  id: publicId("actor", "act_V1StGXR8Z5jdHi6B"),
  agent_id: z.string(),
  name: z.string(),
  type: z.string().nullable(),
  external_id: z.string().nullable(),
  tags: z.record(z.string(), z.string()).nullable(),
  created_at: timestamp,
});

export const traceSummarySchema = z.object({
  trace_id: z.string(),
  root_trace_id: z.string(),
  parent_trace_id: z.string().nullable(),
  agent_id: z.string(),
  generation_id: z.string(),
  status: z.string(),
  created_at: timestamp,
});

const traceStepSchema = z.object({
  type: z.enum(["model", "tool"]),
  name: z.string().meta({ description: "Model id or tool name" }),
  tool_call_id: z.string().nullable(),
  args: z.unknown(),
  result: z.unknown(),
  error: z.string().nullable(),
  input_tokens: z.number().int().nullable(),
  output_tokens: z.number().int().nullable(),
  started_at: timestamp,
  duration_ms: z.number().int(),
});

const traceGenerationSchema = z.object({
  id: publicId("generation", "agt_gen_V1StGXR8Z5jdHi6B"),
  agent_id: z.string(),
  actor_id: z.string().nullable(),
  status: z.string(),
  created_at: timestamp,
  updated_at: timestamp,
  usage: usageSchema,
  error: z.string().nullable(),
  steps: z.array(traceStepSchema),
});

export const traceSchema = z.object({
  trace_id: z.string(),
  root_trace_id: z.string(),
  parent_trace_id: z.string().nullable(),
  generations: z.array(traceGenerationSchema),
  // A getter lets the schema refer to itself: child traces of agent-to-agent calls.
  get children() {
    return z.array(traceSchema);
  },
});

/** `POST /api/agents/{agentId}/chat`, and the `done` line of its NDJSON stream. */
export const chatResponseSchema = z.object({
  id: z.string().meta({ description: "Message id" }),
  agent_id: z.string(),
  model: z.string(),
  message: z.object({ role: z.enum(["assistant"]), content: z.string() }),
  finish_reason: z.string(),
  usage: usageSchema,
});

export const v1ChatResponseSchema = z.object({
  message_id: z.string(),
  employee_id: z.string(),
  content: z.string(),
});

export const healthResponseSchema = z.object({ status: z.enum(["ok"]) });
