/**
 * Request schemas of the Agents API (`/api/v1/agents…`, `/api/v1/ai-providers…`, and Conduit's
 * `/api/v1/documents…` and `/api/v1/memories…`), field for
 * field as in its OpenAPI description and named as its components are. The same schemas
 * validate requests and generate Conduit's OpenAPI document.
 */
import { z } from "zod";
import { integerField } from "@/lib/http";

const jsonObject = z.record(z.string(), z.unknown());
const nullable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

export const toolTypes = ["http", "client", "mcp", "soat", "a2a"] as const;

const stepRule = z
  .object({
    step: integerField(1).optional(),
    from_step: integerField(1).optional(),
    to_step: integerField(1).optional(),
    active_tool_ids: z.array(z.string()).optional(),
    tool_choice: jsonObject.optional(),
  })
  .strict()
  .describe(
    "Overrides for the model calls it matches, numbered from 1 over the whole generation: `step`, or the range `from_step`–`to_step`; later rules win",
  );

const boundaryPolicy = z
  .object({ allow: z.array(z.string()).optional(), deny: z.array(z.string()).optional() })
  .strict()
  .describe("SOAT actions the agent's tools may offer (`*` matches any characters, e.g. `agents:*`); deny wins over allow");

// Knowledge: what agents retrieve (knowledge_config) and the documents and memories API.
export const knowledgeContentTypes = ["text/plain", "text/markdown", "text/html"] as const;
/** What a stored document may be: the text types, or a PDF uploaded as a file and kept as its text. */
export const storedDocumentContentTypes = [...knowledgeContentTypes, "application/pdf"] as const;

export const DEFAULT_PASSAGE_LIMIT = 5;
export const MAX_PASSAGE_LIMIT = 50;

const ids = z.array(z.string().max(200)).max(100);

const retrievalMode = z
  .enum(["hybrid", "fulltext", "vector"])
  .optional()
  .describe(
    "How passages are found: `fulltext` by their words, `vector` by meaning (embeddings), `hybrid` both fused by reciprocal rank. Default: hybrid where embeddings are available, else full text (a search that cannot use embeddings falls back to full text and says why)",
  );

export const KnowledgeConfig = z
  .object({
    memory_ids: ids.optional(),
    memory_tags: ids.optional(),
    document_ids: ids.optional(),
    document_paths: z
      .array(z.string().max(1024))
      .max(100)
      .optional()
      .describe("Exact paths, or folders: a path ending in `/` names every document under it"),
    min_score: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe("Passages scoring below it (0..1) in the ranking that found them are left out; default 0"),
    mode: retrievalMode,
    limit: integerField(1).max(MAX_PASSAGE_LIMIT).optional().describe(`Most passages injected per run; default ${DEFAULT_PASSAGE_LIMIT}`),
    write_memory_id: z.string().max(200).nullable().optional(),
  })
  .describe(
    "What the agent knows: before every model call, the passages of these documents and memories that best match the latest user message are given to the model. `memory_tags` alone selects entries with any of the tags in any memory; with `memory_ids`, only those memories' entries with the tags. With `write_memory_id`, the agent gets a `write_memory` tool that adds entries to that memory",
  );
export type KnowledgeConfig = z.output<typeof KnowledgeConfig>;

const documentPath = z
  .string({ error: "path is required" })
  .min(1, "path must not be empty")
  .max(1024)
  .regex(/^[^\u0000-\u001f\u007f]+$/, "path must not contain control characters");

export const CreateDocumentRequest = z.object({
  path: documentPath.describe("Where the document lives, e.g. `handbook/refunds.md`; uploading the same path again replaces it"),
  content: z.string({ error: "content is required" }),
  content_type: z.enum(knowledgeContentTypes).optional().default("text/plain"),
});
export type CreateDocumentRequest = z.output<typeof CreateDocumentRequest>;

/** A document as it is stored: a request's, or a PDF file's text. */
export const DocumentUpload = CreateDocumentRequest.extend({ content_type: z.enum(storedDocumentContentTypes) });
export type DocumentUpload = z.output<typeof DocumentUpload>;

const searchFields = {
  query: z.string({ error: "query is required" }).min(1, "query must not be empty").max(2000),
  limit: integerField(1).max(MAX_PASSAGE_LIMIT).optional().default(DEFAULT_PASSAGE_LIMIT),
  min_score: z.number().min(0).max(1).optional().default(0),
  mode: retrievalMode,
};

export const SearchDocumentsRequest = z.object({
  ...searchFields,
  document_ids: ids.optional(),
  document_paths: KnowledgeConfig.shape.document_paths,
});

export const SearchMemoriesRequest = z.object({
  ...searchFields,
  memory_ids: ids.optional(),
  memory_tags: ids.optional(),
});

export const CreateMemoryRequest = z.object({
  name: z.string({ error: "name is required" }).min(1).max(200),
  description: z.string().max(2000).nullable().optional(),
});

const tags = z.array(z.string().min(1).max(100)).max(20);

export const CreateMemoryEntryRequest = z.object({
  content: z.string({ error: "content is required" }).min(1, "content must not be empty").max(8000),
  tags: tags.optional().default([]),
});

const agentFields = {
  name: z.string().max(200),
  instructions: z.string().max(100_000),
  model: z.string().max(200),
  tool_ids: z.array(z.string()).max(128),
  max_steps: z.number().int().min(1).max(100),
  tool_choice: jsonObject,
  stop_conditions: z.array(jsonObject),
  active_tool_ids: z.array(z.string()),
  step_rules: z.array(stepRule).max(100),
  boundary_policy: boundaryPolicy,
  temperature: z.number().min(0).max(2),
  knowledge_config: KnowledgeConfig,
};

export const CreateAgentRequest = z.object({
  project_id: z.string().optional(),
  ai_provider_id: z.string({ error: "ai_provider_id is required" }),
  name: agentFields.name.optional(),
  instructions: agentFields.instructions.optional(),
  model: agentFields.model.optional(),
  tool_ids: agentFields.tool_ids.optional(),
  max_steps: agentFields.max_steps.optional(),
  tool_choice: agentFields.tool_choice.optional(),
  stop_conditions: agentFields.stop_conditions.optional(),
  active_tool_ids: agentFields.active_tool_ids.optional(),
  step_rules: agentFields.step_rules.optional(),
  boundary_policy: agentFields.boundary_policy.optional(),
  temperature: agentFields.temperature.optional(),
  knowledge_config: agentFields.knowledge_config.optional(),
});

export const UpdateAgentRequest = z.object({
  ai_provider_id: z.string().optional(),
  name: nullable(agentFields.name),
  instructions: nullable(agentFields.instructions),
  model: nullable(agentFields.model),
  tool_ids: nullable(agentFields.tool_ids),
  max_steps: nullable(agentFields.max_steps),
  tool_choice: nullable(agentFields.tool_choice),
  stop_conditions: nullable(agentFields.stop_conditions),
  active_tool_ids: nullable(agentFields.active_tool_ids),
  step_rules: nullable(agentFields.step_rules),
  boundary_policy: nullable(agentFields.boundary_policy),
  temperature: nullable(agentFields.temperature),
  knowledge_config: nullable(agentFields.knowledge_config),
});

const httpExecute = z.object({
  url: z.string({ error: "execute.url is required" }).min(1).max(2048),
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

const mcpConfig = z.object({
  url: z.url({ error: "mcp.url must be a URL" }),
  headers: z.record(z.string(), z.string()).optional(),
  tools: z.array(z.string()).optional(),
});

/** Conduit extension: a remote agent spoken to over the Agent2Agent protocol. */
const a2aConfig = z
  .object({
    url: z.url({ protocol: /^https?$/, error: "a2a.url must be an http(s) URL" }).max(2048),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .meta({ description: "Conduit extension (a2a tools): the remote A2A agent's card URL, and headers sent with every request to it" });

const toolName = z.string({ error: "name is required" }).regex(/^[a-zA-Z0-9_-]{1,64}$/, "name must be 1-64 letters, digits, '_' or '-'");

export const CreateAgentToolRequest = z.object({
  project_id: z.string().optional(),
  name: toolName,
  type: z.enum(toolTypes).optional(),
  description: z.string().max(4000).optional(),
  parameters: jsonObject.optional(),
  execute: httpExecute.optional(),
  mcp: mcpConfig.optional(),
  a2a: a2aConfig.optional(),
  actions: z.array(z.string()).optional(),
  preset_parameters: jsonObject.optional(),
  /** Conduit extension: calls go through the approval gate before they run. */
  gated: z.boolean().optional(),
});

export const UpdateAgentToolRequest = z.object({
  name: toolName.optional(),
  type: z.enum(toolTypes).optional(),
  description: nullable(z.string().max(4000)),
  parameters: nullable(jsonObject),
  execute: nullable(httpExecute),
  mcp: nullable(mcpConfig),
  a2a: nullable(a2aConfig),
  actions: nullable(z.array(z.string())),
  preset_parameters: nullable(jsonObject),
  gated: z.boolean().optional(),
});

export const chatMessage = z.object({
  role: z.enum(["system", "user", "assistant"], { error: "role must be one of system, user, assistant" }),
  content: z.string({ error: "content must be a string" }),
});

export const CreateAgentGenerationRequest = z.object({
  messages: z.array(chatMessage, { error: "messages must be an array" }).min(1, "messages must contain at least one message"),
  stream: z.boolean().optional().default(false),
  trace_id: z.string().max(200).optional(),
  parent_trace_id: z.string().max(200).nullable().optional(),
  root_trace_id: z.string().max(200).nullable().optional(),
  max_call_depth: z.number().int().min(0).max(10).optional().default(10),
  tool_context: z.record(z.string(), z.string()).nullable().optional(),
  /** Conduit extension: the actor (`act_…`) this generation speaks for. */
  actor_id: z.string().optional(),
});

export const SubmitToolOutputsRequest = z.object({
  tool_outputs: z
    .array(z.object({ tool_call_id: z.string({ error: "tool_call_id is required" }), output: z.unknown() }))
    .min(1, "tool_outputs must contain at least one output"),
});

export const CreateActorRequest = z.object({
  name: z.string({ error: "name is required" }).min(1).max(200),
  type: z.string().max(100).optional(),
  external_id: z.string().max(200).optional(),
  tags: z.record(z.string(), z.string()).optional(),
});

export const aiProviderTypes = ["openai_compatible", "demo"] as const;

export const CreateAiProviderRequest = z.object({
  project_id: z.string().optional(),
  name: z.string().min(1).max(200),
  type: z.enum(aiProviderTypes),
  base_url: z.url().optional(),
  api_key: z.string().min(1).max(4096).optional(),
  default_model: z.string().max(200).optional(),
  embedding_model: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe("An embeddings model of this provider; the organisation's knowledge is embedded with the first provider that names one"),
});

export const UpdateAiProviderRequest = z.object({
  name: z.string().min(1).max(200).optional(),
  base_url: z.url().nullable().optional(),
  api_key: z.string().min(1).max(4096).nullable().optional(),
  default_model: z.string().max(200).nullable().optional(),
  embedding_model: z.string().min(1).max(200).nullable().optional(),
});

/** Lists take the project as an optional filter; it must be the key's own (checked by the route). */
export const listByProjectQuery = z.object({ project_id: z.string().optional() });

export const ListAgentTracesQuery = z.object({
  agent_id: z.string().optional().describe("The agent's public id (`agt_…`) or UUID"),
  trace_id: z.string().optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional().default(50),
});

// The names route handlers import today; new code uses the component names above.
export {
  CreateAgentRequest as createAgentRequest,
  UpdateAgentRequest as updateAgentRequest,
  CreateAgentToolRequest as createToolRequest,
  UpdateAgentToolRequest as updateToolRequest,
  CreateAgentGenerationRequest as createGenerationRequest,
  SubmitToolOutputsRequest as submitToolOutputsRequest,
  CreateActorRequest as createActorRequest,
  CreateAiProviderRequest as createAiProviderRequest,
  UpdateAiProviderRequest as updateAiProviderRequest,
  ListAgentTracesQuery as listTracesQuery,
};
