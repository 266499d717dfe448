/**
 * Response bodies of the Agents API (`/api/v1/agents…`, `/api/v1/ai-providers…`). Shapes follow
 * the SOAT Agents API field for field (plus marked Conduit extensions); every field is always
 * present, `null` when it does not apply, so clients never have to tell "missing" from "empty".
 */
import { DOORS } from "./doors";
import { z } from "zod";
import { aiProviderTypes, CreateAgentRequest, CreateAgentToolRequest, toolTypes } from "@/lib/agents-api/schemas";
import { jsonObject, publicId, timestamp } from "./fields";
import { MASKED_HEADER_VALUE } from "./tool-configs";

const projectId = publicId("owning project", "proj_V1StGXR8Z5jdHi6B");

export const Usage = z.strictObject({
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  total_tokens: z.number().int(),
});

export const AgentResponse = z.strictObject({
  id: publicId("agent", "agt_V1StGXR8Z5jdHi6B"),
  uuid: z.uuid().meta({
    description: "Conduit extension: the agent's UUID, which addresses it like `id` and is the `employee_id` of `POST /api/v1/chat`",
  }),
  project_id: projectId,
  // Agents made outside this API (e.g. by older versions' first start) may run on the deployment's model.
  ai_provider_id: publicId("AI provider", "aip_V1StGXR8Z5jdHi6B")
    .nullable()
    .meta({ description: "Public ID of the AI provider; null: the deployment's default model" }),
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
  knowledge_config: CreateAgentRequest.shape.knowledge_config.unwrap().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type AgentResponse = z.input<typeof AgentResponse>;

/** Header names with masked values: tool headers are credentials, never returned. */
const maskedHeaders = z
  .record(z.string(), z.literal(MASKED_HEADER_VALUE))
  .optional()
  .meta({ description: `Header names; every value shows as "${MASKED_HEADER_VALUE}" (stored encrypted, never returned)` });

export const AgentToolResponse = z.strictObject({
  id: publicId("agent tool", "agt_tool_V1StGXR8Z5jdHi6B"),
  project_id: projectId,
  name: z.string(),
  type: z.enum(toolTypes),
  description: z.string().nullable(),
  parameters: jsonObject.nullable().meta({ description: "JSON Schema for tool input" }),
  execute: CreateAgentToolRequest.shape.execute.unwrap().extend({ headers: maskedHeaders }).nullable(),
  mcp: CreateAgentToolRequest.shape.mcp.unwrap().extend({ headers: maskedHeaders }).nullable(),
  a2a: CreateAgentToolRequest.shape.a2a.unwrap().extend({ headers: maskedHeaders }).nullable(),
  actions: z.array(z.string()).nullable(),
  preset_parameters: jsonObject.nullable(),
  gated: z.boolean().meta({ description: "Conduit extension: calls go through the approval gate before they run" }),
  created_at: timestamp,
  updated_at: timestamp,
});
export type AgentToolResponse = z.input<typeof AgentToolResponse>;

/** A generation read back (`GET …/generate/{generation_id}`): it may still be running, or have failed. */
export const GenerationResponse = z.strictObject({
  id: publicId("generation", "agt_gen_V1StGXR8Z5jdHi6B"),
  status: z.enum(["completed", "requires_action", "running", "failed"]),
  text: z.string().nullable().meta({ description: "Final text output (when completed)" }),
  tool_calls: z
    .array(
      z.strictObject({
        tool_call_id: z.string(),
        tool_name: z.string(),
        args: jsonObject,
        approval: z
          .object({ thread_id: z.string().meta({ example: "THR-4F2A9C1B" }) })
          .optional()
          .meta({ description: "Conduit extension: set when a gated tool call waits for a reviewer on this gate thread" }),
      }),
    )
    .nullable()
    .meta({ description: "Pending tool calls (when requires_action)" }),
  trace_id: z.string().meta({ description: "Conduit extension: the trace this generation belongs to" }),
  usage: Usage.meta({ description: "Conduit extension: tokens used by this generation" }),
});
export type GenerationResponse = z.input<typeof GenerationResponse>;

/** What generate and tool-outputs answer: the run finished or paused; a failed run is an error response instead. */
export const AgentGenerationResponse = GenerationResponse.extend({ status: z.enum(["completed", "requires_action"]) });

/** The Agents API error body. */
export const ErrorResponse = z.strictObject({ error: z.string().meta({ example: "Unauthorized" }) });

export const AiProviderResponse = z.strictObject({
  id: publicId("AI provider", "aip_V1StGXR8Z5jdHi6B"),
  project_id: projectId,
  name: z.string(),
  type: z.enum(aiProviderTypes),
  base_url: z.string().nullable(),
  default_model: z.string().nullable(),
  embedding_model: z.string().nullable(),
  // The key itself is write-only.
  has_api_key: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type AiProviderResponse = z.input<typeof AiProviderResponse>;

export const ActorResponse = z.strictObject({
  id: publicId("actor", "act_V1StGXR8Z5jdHi6B"),
  agent_id: z.string(),
  name: z.string(),
  type: z.string().nullable(),
  external_id: z.string().nullable(),
  tags: z.record(z.string(), z.string()).nullable(),
  created_at: timestamp,
});
export type ActorResponse = z.input<typeof ActorResponse>;

const generationStatus = z.enum(["running", "requires_action", "completed", "failed"]);
const door = z.enum(DOORS).meta({
  description:
    "Conduit extension: the way the run came in (agent: called by another agent; dashboard: tried by a signed-in member; " +
    "whatsapp, messenger, instagram, twilio, email: a message on a connected channel)",
});

export const TraceSummaryResponse = z.strictObject({
  trace_id: z.string(),
  root_trace_id: z.string(),
  parent_trace_id: z.string().nullable(),
  agent_id: z.string(),
  generation_id: z.string(),
  door,
  status: generationStatus,
  created_at: timestamp,
});
export type TraceSummaryResponse = z.input<typeof TraceSummaryResponse>;

const traceStep = z.strictObject({
  type: z
    .enum(["retrieval", "model", "tool"])
    .meta({ description: "retrieval: the knowledge passages given to the model before its first call" }),
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
export type TraceStep = z.input<typeof traceStep>;

const traceGeneration = z.strictObject({
  id: publicId("generation", "agt_gen_V1StGXR8Z5jdHi6B"),
  agent_id: z.string(),
  actor_id: z.string().nullable(),
  door,
  model: z.string().nullable().meta({ description: "Conduit extension: the model that answered; null if none ran" }),
  status: generationStatus,
  created_at: timestamp,
  updated_at: timestamp,
  usage: Usage,
  error: z.string().nullable(),
  steps: z.array(traceStep),
});
export type TraceGeneration = z.input<typeof traceGeneration>;

export const TraceResponse = z.strictObject({
  trace_id: z.string(),
  root_trace_id: z.string(),
  parent_trace_id: z.string().nullable(),
  generations: z.array(traceGeneration),
  // A getter lets the schema refer to itself: child traces of agent-to-agent calls.
  get children() {
    return z.array(TraceResponse);
  },
});
export type TraceResponse = z.input<typeof TraceResponse>;
