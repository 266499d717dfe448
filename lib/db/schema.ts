import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { A2aAgentConfig, HttpToolConfig, McpServerConfig } from "@/lib/contracts/tool-configs";
import type { GateAction, GateRuleType } from "@/lib/contracts/gate-values";
import type { ChannelType, Door } from "@/lib/contracts/doors";
import type { AutomationStep } from "@/lib/contracts/automation-steps";

export type { GateAction, GateRuleType };

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();

export const organisations = pgTable("organisations", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  slug: text("slug").notNull().unique(),
  /** The programmatic API channel; when off, key-authenticated API calls answer 403. */
  apiChannelEnabled: boolean("api_channel_enabled").notNull().default(true),
  /** hosted: may use the deployment's model; byok: every agent needs the organisation's own provider key. */
  billingMode: text("billing_mode").$type<"hosted" | "byok">().notNull().default("hosted"),
  /** Plan limits per calendar month (UTC); null: unlimited. */
  monthlyMessageLimit: integer("monthly_message_limit"),
  monthlyTokenLimit: integer("monthly_token_limit"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** The owning organisation: every tenant row has one, and goes when its organisation goes. */
const orgId = () =>
  uuid("org_id")
    .notNull()
    .references(() => organisations.id, { onDelete: "cascade" });

export const users = pgTable("users", {
  id: uuid("id").primaryKey().defaultRandom(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  passwordHash: text("password_hash").notNull(),
  /** Consecutive failed sign-ins; reset by a successful one. */
  failedSignIns: integer("failed_sign_ins").notNull().default(0),
  /** Sign-in is refused until then, after too many consecutive failures. */
  lockedUntil: timestamp("locked_until", { withTimezone: true }),
  createdAt: createdAt(),
});

export const memberships = pgTable(
  "memberships",
  {
    orgId: orgId(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["owner", "admin", "member", "reviewer"] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] }), index("memberships_user_idx").on(t.userId)],
);

/**
 * An invitation to join an organisation, sent as a link: single use, expiring. Only the sha256 of
 * the link's token is stored, so a database read does not hand out working links.
 */
export const invitations = pgTable(
  "invitations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    publicId: text("public_id").notNull().unique(),
    orgId: orgId(),
    email: text("email").notNull(),
    role: text("role", { enum: ["owner", "admin", "member", "reviewer"] }).notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    invitedBy: uuid("invited_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    acceptedBy: uuid("accepted_by").references(() => users.id, { onDelete: "set null" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("invitations_org_created_idx").on(t.orgId, t.createdAt)],
);

export const aiProviders = pgTable(
  "ai_providers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    publicId: text("public_id").notNull().unique(),
    orgId: orgId(),
    name: text("name").notNull(),
    type: text("type", { enum: ["openai_compatible", "demo"] }).notNull(),
    baseUrl: text("base_url"),
    /** AES-256-GCM ciphertext of the provider's API key; never returned by the API. */
    apiKeyCiphertext: text("api_key_ciphertext"),
    defaultModel: text("default_model"),
    /** The organisation's knowledge is embedded with the first provider that names one. */
    embeddingModel: text("embedding_model"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("ai_providers_org_idx").on(t.orgId)],
);

export const agents = pgTable(
  "agents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    publicId: text("public_id").notNull().unique(),
    orgId: orgId(),
    name: text("name"),
    instructions: text("instructions"),
    /** Null: the provider's default model (or the deployment default). */
    model: text("model"),
    /** Null: the deployment's default provider from the environment (or the demo model). */
    aiProviderId: uuid("ai_provider_id").references(() => aiProviders.id, { onDelete: "restrict" }),
    temperature: real("temperature"),
    maxSteps: integer("max_steps"),
    toolChoice: jsonb("tool_choice").$type<Record<string, unknown>>(),
    stopConditions: jsonb("stop_conditions").$type<Array<Record<string, unknown>>>(),
    /** Public ids of the attached tools that are offered to the model; null: all of them. */
    activeToolIds: text("active_tool_ids").array(),
    stepRules: jsonb("step_rules").$type<Array<Record<string, unknown>>>(),
    boundaryPolicy: jsonb("boundary_policy").$type<Record<string, unknown>>(),
    knowledgeConfig: jsonb("knowledge_config").$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("agents_org_idx").on(t.orgId)],
);

export type ToolType = "http" | "client" | "mcp" | "soat" | "a2a";

export const tools = pgTable(
  "tools",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    publicId: text("public_id").notNull().unique(),
    orgId: orgId(),
    name: text("name").notNull(),
    type: text("type").$type<ToolType>().notNull(),
    description: text("description"),
    /** JSON Schema of the tool's input. */
    parameters: jsonb("parameters").$type<Record<string, unknown>>(),
    /** http tools: url (with {param} placeholders), method, headers. */
    execute: jsonb("execute").$type<HttpToolConfig>(),
    /** mcp tools: the remote server (url, headers, optional tool allow-list). */
    mcp: jsonb("mcp").$type<McpServerConfig>(),
    /** a2a tools: the remote A2A agent (its card URL, headers). */
    a2a: jsonb("a2a").$type<A2aAgentConfig>(),
    /** soat tools: the Conduit API actions offered to the model, and arguments fixed in advance. */
    actions: text("actions").array(),
    presetParameters: jsonb("preset_parameters").$type<Record<string, unknown>>(),
    /** Calls go through the approval gate first (the agent's linked gate agent and its rules). */
    gated: boolean("gated").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("tools_org_idx").on(t.orgId)],
);

export const agentTools = pgTable(
  "agent_tools",
  {
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    toolId: uuid("tool_id")
      .notNull()
      .references(() => tools.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.toolId] }), index("agent_tools_tool_idx").on(t.toolId)],
);

export const actors = pgTable(
  "actors",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    publicId: text("public_id").notNull().unique(),
    orgId: orgId(),
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    type: text("type"),
    externalId: text("external_id"),
    tags: jsonb("tags").$type<Record<string, string>>(),
    createdAt: createdAt(),
  },
  (t) => [index("actors_agent_idx").on(t.orgId, t.agentId)],
);

export type GenerationStatus = "running" | "requires_action" | "completed" | "failed";

export type { ChannelType, Door };

/** One run of an agent: its state is kept so a paused run (client tools) can resume anywhere. */
export const generations = pgTable(
  "generations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    publicId: text("public_id").notNull().unique(),
    orgId: orgId(),
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    apiKeyId: uuid("api_key_id").references(() => apiKeys.id, { onDelete: "set null" }),
    actorId: uuid("actor_id").references(() => actors.id, { onDelete: "set null" }),
    status: text("status").$type<GenerationStatus>().notNull(),
    door: text("door").$type<Door>().notNull().default("generate"),
    /** The model that answered (set once the run has resolved it). */
    model: text("model"),
    traceId: text("trace_id").notNull(),
    parentTraceId: text("parent_trace_id"),
    rootTraceId: text("root_trace_id").notNull(),
    callDepth: integer("call_depth").notNull().default(0),
    maxCallDepth: integer("max_call_depth").notNull().default(10),
    toolContext: jsonb("tool_context").$type<Record<string, string>>(),
    /** The conversation record the run's reply joins (a channel contact's); null: the run starts its own. */
    conversationId: uuid("conversation_id"),
    /** The conversation so far in AI SDK message form, to resume from. */
    messages: jsonb("messages").$type<unknown[]>().notNull(),
    /** Tool calls awaiting client outputs, or a reviewer's decision (gated tools), while status is requires_action. */
    pendingToolCalls:
      jsonb("pending_tool_calls").$type<
        Array<{ toolCallId: string; toolName: string; input: unknown; approvalId?: string; threadId?: string }>
      >(),
    stepsUsed: integer("steps_used").notNull().default(0),
    text: text("text"),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    error: text("error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("generations_org_created_idx").on(t.orgId, t.createdAt), index("generations_trace_idx").on(t.orgId, t.traceId)],
);

/** retrieval: the knowledge passages found for the run before its first model call. */
export type GenerationStepKind = "model" | "tool" | "retrieval";

/** The steps of a generation: knowledge retrieval, model calls and tool calls, with timings (the trace). */
export const generationSteps = pgTable(
  "generation_steps",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgId(),
    generationId: uuid("generation_id")
      .notNull()
      .references(() => generations.id, { onDelete: "cascade" }),
    sequence: integer("sequence").notNull(),
    kind: text("kind").$type<GenerationStepKind>().notNull(),
    name: text("name").notNull(),
    toolCallId: text("tool_call_id"),
    input: jsonb("input"),
    output: jsonb("output"),
    error: text("error"),
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    durationMs: integer("duration_ms").notNull(),
  },
  (t) => [uniqueIndex("generation_steps_seq_idx").on(t.generationId, t.sequence)],
);

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    publicId: text("public_id").notNull().unique(),
    orgId: orgId(),
    name: text("name").notNull(),
    /** sha256 of the whole key, hex; the key itself is never stored. */
    hash: text("hash").notNull().unique(),
    /** The first characters of the key, for recognising it in lists. */
    start: text("start").notNull(),
    last4: text("last4").notNull(),
    /** Null: every agent of the organisation. */
    agentIds: uuid("agent_ids").array(),
    /** Null: the deployment default (120 per minute). */
    rateLimitPerMinute: integer("rate_limit_per_minute"),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    /** Where async task results are POSTed, signed with the key's signing secret. */
    responseUrl: text("response_url"),
    /** AES-256-GCM ciphertext: a signing secret must stay usable to sign, so it is encrypted, not hashed. */
    signingSecretCiphertext: text("signing_secret_ciphertext"),
    /** Spending cap in US cents; null: unlimited. */
    budgetUsdCents: integer("budget_usd_cents"),
    budgetPeriod: text("budget_period").$type<"daily" | "monthly" | "total">(),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("api_keys_org_idx").on(t.orgId)],
);

export const conversations = pgTable(
  "conversations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgId(),
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    apiKeyId: uuid("api_key_id").references(() => apiKeys.id, { onDelete: "set null" }),
    channel: text("channel").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("conversations_org_agent_idx").on(t.orgId, t.agentId, t.createdAt),
    // The dashboard lists an organisation's conversations newest first, paged by (created_at, id).
    index("conversations_org_created_idx").on(t.orgId, t.createdAt, t.id),
  ],
);

export const messages = pgTable(
  "messages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgId(),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["system", "user", "assistant"] }).notNull(),
    content: text("content").notNull(),
    model: text("model"),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    /** Wall time of the model call that produced an assistant message. */
    latencyMs: integer("latency_ms"),
    /** A member who wrote this reply in person (a channel conversation taken over); null: the agent. */
    authorUserId: uuid("author_user_id").references(() => users.id, { onDelete: "set null" }),
    status: text("status", { enum: ["completed", "failed", "aborted"] })
      .notNull()
      .default("completed"),
    createdAt: createdAt(),
  },
  (t) => [index("messages_conversation_idx").on(t.conversationId, t.createdAt), index("messages_org_created_idx").on(t.orgId, t.createdAt)],
);

/** Personal access tokens: a user's own credential (`Authorization: Bearer` on the task gateway). */
export const userTokens = pgTable(
  "user_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    publicId: text("public_id").notNull().unique(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    orgId: orgId(),
    name: text("name").notNull(),
    /** sha256 of the whole token, hex; the token itself is never stored. */
    hash: text("hash").notNull().unique(),
    start: text("start").notNull(),
    /** Null for tokens created before it was recorded. */
    last4: text("last4"),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    /** Null: never expires. */
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("user_tokens_user_idx").on(t.userId)],
);

/**
 * Money spent per key and budget period, in micro-cents (1e-6 US cent). `reserved` holds
 * estimates of calls in flight, so concurrent calls cannot all pass a nearly spent budget.
 */
export const keySpend = pgTable(
  "key_spend",
  {
    apiKeyId: uuid("api_key_id")
      .notNull()
      .references(() => apiKeys.id, { onDelete: "cascade" }),
    /** Start of the period (UTC midnight, the 1st of the month, or the epoch for `total`). */
    periodStart: timestamp("period_start", { withTimezone: true }).notNull(),
    spentMicrocents: bigint("spent_microcents", { mode: "number" }).notNull().default(0),
    reservedMicrocents: bigint("reserved_microcents", { mode: "number" }).notNull().default(0),
    requests: integer("requests").notNull().default(0),
    inputTokens: bigint("input_tokens", { mode: "number" }).notNull().default(0),
    outputTokens: bigint("output_tokens", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.periodStart] })],
);

/**
 * Budget held for one model call until it is charged. Its amount is also counted in
 * key_spend.reserved_microcents; a reservation whose holder died (crash, kill -9) lapses at
 * expires_at and is given back the next time the key runs short.
 */
export const budgetReservations = pgTable(
  "budget_reservations",
  {
    id: uuid("id").primaryKey(),
    apiKeyId: uuid("api_key_id")
      .notNull()
      .references(() => apiKeys.id, { onDelete: "cascade" }),
    periodStart: timestamp("period_start", { withTimezone: true }).notNull(),
    amountMicrocents: bigint("amount_microcents", { mode: "number" }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("budget_reservations_key_expiry_idx").on(t.apiKeyId, t.expiresAt)],
);

/** Messages and tokens per organisation and calendar month, for plan limits. */
export const orgUsage = pgTable(
  "org_usage",
  {
    orgId: orgId(),
    month: timestamp("month", { withTimezone: true }).notNull(),
    messages: integer("messages").notNull().default(0),
    tokens: bigint("tokens", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.month] })],
);

/** waiting: the task's run is paused on a reviewer's decision (a gated tool). */
export type TaskStatus = "open" | "processing" | "waiting" | "resolved" | "failed";

/** Async plain-English tasks (`POST /api/agent`): the conversation id is the row id. */
export const agentTasks = pgTable(
  "agent_tasks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgId(),
    apiKeyId: uuid("api_key_id").references(() => apiKeys.id, { onDelete: "set null" }),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    agentId: uuid("agent_id").references(() => agents.id, { onDelete: "set null" }),
    status: text("status").$type<TaskStatus>().notNull().default("open"),
    message: text("message").notNull(),
    context: jsonb("context").$type<Record<string, unknown>>(),
    metadata: jsonb("metadata").$type<Record<string, unknown>>(),
    /** user and agent turns: { role, payload, timestamp } */
    turns: jsonb("turns").$type<Array<{ role: "user" | "agent"; payload: Record<string, unknown>; timestamp: string }>>().notNull(),
    attempts: integer("attempts").notNull().default(0),
    /** The generation that runs the task, kept while it waits on a review. */
    generationId: uuid("generation_id").references(() => generations.id, { onDelete: "set null" }),
    error: text("error"),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("agent_tasks_org_idx").on(t.orgId, t.createdAt)],
);

export type JobStatus = "queued" | "running" | "done" | "failed";

/**
 * The one durable queue for background work (task runs, webhook deliveries). Workers claim
 * due jobs with FOR UPDATE SKIP LOCKED and hold a lease; a crashed worker's lease expires.
 */
export const jobs = pgTable(
  "jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    status: text("status").$type<JobStatus>().notNull().default("queued"),
    runAt: timestamp("run_at", { withTimezone: true }).notNull().defaultNow(),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(5),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    lockedBy: text("locked_by"),
    lastError: text("last_error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("jobs_due_idx").on(t.status, t.runAt)],
);

/** Signed webhook deliveries: the exact body is fixed when queued, so every retry sends the same bytes. */
/**
 * Where an organisation wants its events sent. The signing secret is encrypted and shown once; after
 * a rotation the previous one keeps signing beside it until `previousSecretExpiresAt`.
 */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    publicId: text("public_id").notNull().unique(),
    orgId: orgId(),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    /** The event types wanted; null: every type. */
    eventTypes: jsonb("event_types").$type<string[]>(),
    enabled: boolean("enabled").notNull().default(true),
    secretCiphertext: text("secret_ciphertext").notNull(),
    previousSecretCiphertext: text("previous_secret_ciphertext"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at", { withTimezone: true }),
    /** Why Conduit disabled the endpoint (410 Gone, deliveries exhausted); null when enabled or disabled by a member. */
    disabledReason: text("disabled_reason"),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    /** Deliveries that used up every attempt in a row; a delivered one resets it. */
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    lastFailureAt: timestamp("last_failure_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("webhook_endpoints_org_idx").on(t.orgId)],
);

/** How a delivery is signed: `static` sends stored headers (task replies' X-Signature); `standard` signs each attempt (Standard Webhooks). */
export type WebhookSigning = "static" | "standard";

export interface WebhookAttempt {
  at: string;
  status: number | null;
  error: string | null;
  duration_ms: number;
  /** The start of the receiver's answer, capped. */
  response?: string | null;
}

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** `msg_…`: the `webhook-id` receivers see, the same on every retry and resend. */
    messageId: text("message_id")
      .notNull()
      .unique()
      .default(sql`('msg_' || replace(gen_random_uuid()::text, '-', ''))`),
    orgId: orgId(),
    /** What the delivery is about, e.g. the async task. */
    subjectId: uuid("subject_id").notNull(),
    /** The event endpoint it goes to; null for task replies and gate decisions. */
    endpointId: uuid("endpoint_id").references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    eventType: text("event_type"),
    url: text("url").notNull(),
    body: text("body").notNull(),
    headers: jsonb("headers").$type<Record<string, string>>().notNull(),
    signing: text("signing").$type<WebhookSigning>().notNull().default("static"),
    /** `standard` deliveries without an endpoint (gate decisions): the secret to sign with, encrypted. */
    signingSecretCiphertext: text("signing_secret_ciphertext"),
    status: text("status").$type<"pending" | "delivered" | "failed">().notNull().default("pending"),
    attempts: jsonb("attempts").$type<WebhookAttempt[]>().notNull().default([]),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index("webhook_deliveries_subject_idx").on(t.subjectId), index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.createdAt)],
);

// --- Channels ------------------------------------------------------------------------------

/**
 * An agent's connection to a messaging channel. The vendor calls `/api/webhooks/{vendor}/{public id}`;
 * the credentials that check its signatures and send the replies are encrypted and never returned.
 */
export const channelConnections = pgTable(
  "channel_connections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    publicId: text("public_id").notNull().unique(),
    orgId: orgId(),
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    type: text("type").$type<ChannelType>().notNull(),
    name: text("name").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    /** The API key whose budget pays for the runs (its limits and revocation apply); null: the organisation's plan alone. */
    apiKeyId: uuid("api_key_id").references(() => apiKeys.id, { onDelete: "set null" }),
    /** AES-256-GCM ciphertext of the vendor credentials as JSON. */
    credentialsCiphertext: text("credentials_ciphertext").notNull(),
    /** The names of the credentials that are set, to show without decrypting them. */
    credentialNames: text("credential_names").array().notNull(),
    /** Settings that are not secret (the address email replies come from). */
    settings: jsonb("settings").$type<Record<string, string>>().notNull().default({}),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("channel_connections_org_agent_idx").on(t.orgId, t.agentId)],
);

/** Someone who wrote to a channel connection: an actor of its agent, with one conversation. */
export const channelContacts = pgTable(
  "channel_contacts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgId(),
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => channelConnections.id, { onDelete: "cascade" }),
    actorId: uuid("actor_id")
      .notNull()
      .references(() => actors.id, { onDelete: "cascade" }),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    /** The contact's address on the channel: wa_id, PSID, IGSID, phone number or email address. */
    address: text("address").notNull(),
    name: text("name"),
    /** Their latest message: WhatsApp, Messenger and Instagram take free-text replies for 24 hours after it. */
    lastInboundAt: timestamp("last_inbound_at", { withTimezone: true }).notNull(),
    /** Set while a member has taken the conversation over: the agent does not answer. */
    agentPausedAt: timestamp("agent_paused_at", { withTimezone: true }),
    pausedByUserId: uuid("paused_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("channel_contacts_address_idx").on(t.connectionId, t.address),
    uniqueIndex("channel_contacts_conversation_idx").on(t.conversationId),
  ],
);

export type ChannelMessageStatus = "received" | "waiting" | "answered" | "skipped" | "queued" | "sent" | "withheld" | "failed";

/**
 * Every message in or out of a channel, with what became of it. A vendor delivers at least once:
 * the unique (connection, vendor message id) of inbound messages makes a repeated delivery a no-op.
 */
export const channelMessages = pgTable(
  "channel_messages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgId(),
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => channelConnections.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id")
      .notNull()
      .references(() => channelContacts.id, { onDelete: "cascade" }),
    direction: text("direction").$type<"inbound" | "outbound">().notNull(),
    vendorMessageId: text("vendor_message_id"),
    text: text("text").notNull(),
    /** What a reply to an inbound message needs (vendor ids, email threading headers). */
    replyContext: jsonb("reply_context").$type<Record<string, string>>(),
    status: text("status").$type<ChannelMessageStatus>().notNull(),
    /** Why a message was not answered, held back or failed. */
    note: text("note"),
    /** Inbound: the run that answered it. */
    generationId: uuid("generation_id"),
    /** Outbound: the inbound message it answers (null for a member's own message). */
    inReplyToId: uuid("in_reply_to_id"),
    /** The message's row in the conversation record. */
    recordId: uuid("record_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // Inbound only: what a vendor says about its own sent messages must never fail a send.
    uniqueIndex("channel_messages_inbound_idx")
      .on(t.connectionId, t.vendorMessageId)
      .where(sql`${t.direction} = 'inbound'`),
    index("channel_messages_contact_idx").on(t.contactId, t.createdAt),
    index("channel_messages_generation_idx").on(t.generationId),
  ],
);

// --- Website widget --------------------------------------------------------------------------

/** How the widget looks on a website; every field has a default. */
export interface WidgetAppearance {
  color?: string;
  position?: "right" | "left";
  greeting?: string;
  placeholder?: string;
  branding?: boolean;
  /** One of the loader's built-in icons (see public/widget.js). */
  launcher_icon?: "chat" | "help" | "sparkles" | "message";
  /** Text beside the icon, making the launcher a pill; empty for the round button. */
  launcher_label?: string;
}

/**
 * A publishable widget key (`pk_…`): visible in web pages by design, so it is bound to one agent
 * and to the origins allowed to embed it, and protected by visitor, address and daily limits.
 */
export const widgetKeys = pgTable(
  "widget_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    publicId: text("public_id").notNull().unique(),
    orgId: orgId(),
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** sha256 of the whole key, hex. */
    hash: text("hash").notNull().unique(),
    start: text("start").notNull(),
    /** Normalised origins (scheme://host[:port]) that may embed the widget. */
    allowedOrigins: text("allowed_origins").array().notNull(),
    appearance: jsonb("appearance").$type<WidgetAppearance>().notNull().default({}),
    /** Visitor messages a day (UTC) this key answers, all visitors together. */
    dailyMessageCap: integer("daily_message_cap").notNull().default(1000),
    messagesDay: text("messages_day"),
    messagesToday: integer("messages_today").notNull().default(0),
    /**
     * The secret the site's backend signs visitor identities with (`wis_…`), encrypted: Conduit
     * verifies those signatures, so it must be able to read it back. Null until one is issued.
     */
    identitySecretCiphertext: text("identity_secret_ciphertext"),
    identitySecretStart: text("identity_secret_start"),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("widget_keys_org_idx").on(t.orgId)],
);

/**
 * A website visitor of a widget key: an actor of its agent, with one conversation. Either
 * anonymous (known by the id their browser keeps) or identified (known by the id the site's
 * backend signed): never both, so neither kind of id can reach the other kind's conversation.
 */
export const widgetVisitors = pgTable(
  "widget_visitors",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgId(),
    widgetKeyId: uuid("widget_key_id")
      .notNull()
      .references(() => widgetKeys.id, { onDelete: "cascade" }),
    /** An anonymous visitor's id, kept by their browser (in the widget's own storage). */
    visitorId: text("visitor_id"),
    /** An identified visitor's id on the customer's site (the identity token's `sub`). */
    subject: text("subject"),
    /** The identified visitor's email, as last signed. */
    email: text("email"),
    actorId: uuid("actor_id")
      .notNull()
      .references(() => actors.id, { onDelete: "cascade" }),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("widget_visitors_visitor_idx").on(t.widgetKeyId, t.visitorId),
    uniqueIndex("widget_visitors_subject_idx").on(t.widgetKeyId, t.subject),
    check("widget_visitors_one_identity", sql`(${t.visitorId} is null) <> (${t.subject} is null)`),
  ],
);

// --- Automations ---------------------------------------------------------------------------

/**
 * Steps run on a webhook: `draftSteps` is what members edit; `publishedSteps` is the snapshot
 * triggers run, replaced only by publishing again (null: unpublished, the trigger answers 404).
 */
export const automations = pgTable(
  "automations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    publicId: text("public_id").notNull().unique(),
    orgId: orgId(),
    name: text("name").notNull(),
    draftSteps: jsonb("draft_steps").$type<AutomationStep[]>().notNull().default([]),
    publishedSteps: jsonb("published_steps").$type<AutomationStep[]>(),
    publishedAt: timestamp("published_at", { withTimezone: true }),
    /** The API key whose budget pays for agent steps (its limits and revocation apply); null: the organisation's plan alone. */
    apiKeyId: uuid("api_key_id").references(() => apiKeys.id, { onDelete: "set null" }),
    /** The webhook trigger's public id (`trg_…`), the last segment of its URL. */
    triggerId: text("trigger_id").notNull().unique(),
    /** sha256 of the trigger's bearer secret (`ats_…`), hex; the secret is shown once. */
    triggerSecretHash: text("trigger_secret_hash").notNull(),
    triggerSecretStart: text("trigger_secret_start").notNull(),
    /** AES-256-GCM ciphertext of the Standard Webhooks signing secret (`whsec_…`). */
    signingSecretCiphertext: text("signing_secret_ciphertext").notNull(),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("automations_org_idx").on(t.orgId, t.createdAt)],
);

export type AutomationRunStatus = "queued" | "running" | "waiting" | "succeeded" | "failed";
export type AutomationStepStatus = "running" | "waiting" | "succeeded" | "failed" | "skipped";

/** What became of one step of a run. */
export interface AutomationStepRecord {
  id: string;
  type: AutomationStep["type"];
  status: AutomationStepStatus;
  /** The step as it ran, its templates rendered. */
  input: unknown;
  output: unknown;
  /** Template fields that were missing or refused (each rendered empty). */
  warnings: string[];
  error: string | null;
  attempts: number;
  durationMs: number | null;
  startedAt: string;
  finishedAt: string | null;
}

export const automationRuns = pgTable(
  "automation_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    publicId: text("public_id").notNull().unique(),
    orgId: orgId(),
    automationId: uuid("automation_id")
      .notNull()
      .references(() => automations.id, { onDelete: "cascade" }),
    status: text("status").$type<AutomationRunStatus>().notNull().default("queued"),
    /** The trigger's JSON body, as templates see it (`trigger.body…`). */
    payload: jsonb("payload").$type<unknown>(),
    /** A Standard Webhooks `webhook-id`: a delivery repeated with the same id starts no second run. */
    webhookId: text("webhook_id"),
    /** The published steps when the run was queued: publishing again never changes a run under way. */
    steps: jsonb("steps").$type<AutomationStep[]>().notNull(),
    results: jsonb("results").$type<AutomationStepRecord[]>().notNull().default([]),
    /** The index of the next step to run. */
    nextStep: integer("next_step").notNull().default(0),
    /** Why the run failed. */
    error: text("error"),
    /** An agent step's generation paused for review: the run waits for it. */
    waitingGenerationId: uuid("waiting_generation_id"),
    rerunOfId: uuid("rerun_of_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    index("automation_runs_automation_idx").on(t.automationId, t.createdAt),
    uniqueIndex("automation_runs_webhook_id_idx")
      .on(t.automationId, t.webhookId)
      .where(sql`${t.webhookId} is not null`),
    index("automation_runs_generation_idx").on(t.waitingGenerationId),
  ],
);

// --- Approval gate -------------------------------------------------------------------------

/** An external agent that asks the gate before risky actions; authenticates with an `sg_` key. */
export const gateAgents = pgTable(
  "gate_agents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgId(),
    name: text("name").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    keyStart: text("key_start").notNull(),
    status: text("status").$type<"active" | "paused" | "revoked">().notNull().default("active"),
    apiEnabled: boolean("api_enabled").notNull().default(true),
    pollingEnabled: boolean("polling_enabled").notNull().default(true),
    signedTokensEnabled: boolean("signed_tokens_enabled").notNull().default(false),
    webhookUrl: text("webhook_url"),
    /** Signs decision webhooks; encrypted because it must stay usable for signing. */
    webhookSecretCiphertext: text("webhook_secret_ciphertext"),
    /** The Conduit agent whose gated tools route through this gate agent, if any. */
    agentId: uuid("agent_id").references(() => agents.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("gate_agents_org_idx").on(t.orgId)],
);

export const gateTools = pgTable(
  "gate_tools",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgId(),
    name: text("name").notNull(),
    description: text("description"),
    defaultAction: text("default_action").$type<GateAction>().notNull().default("review"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("gate_tools_org_name_idx").on(t.orgId, t.name)],
);

export const gateRules = pgTable(
  "gate_rules",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgId(),
    toolId: uuid("tool_id")
      .notNull()
      .references(() => gateTools.id, { onDelete: "cascade" }),
    type: text("type").$type<GateRuleType>().notNull(),
    parameter: text("parameter").notNull(),
    /** upper_limit / lower_limit: a number; contains: a string. */
    value: jsonb("value").$type<number | string>(),
    min: doublePrecision("min"),
    max: doublePrecision("max"),
    pattern: text("pattern"),
    action: text("action").$type<GateAction>().notNull(),
    position: integer("position").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [index("gate_rules_tool_idx").on(t.toolId)],
);

export type GateThreadStatus = "needs_review" | "escalated" | "approved" | "rejected";

export const gateThreads = pgTable(
  "gate_threads",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    publicId: text("public_id").notNull().unique(),
    orgId: orgId(),
    gateAgentId: uuid("gate_agent_id")
      .notNull()
      .references(() => gateAgents.id, { onDelete: "cascade" }),
    taskId: text("task_id").notNull(),
    workflowName: text("workflow_name").notNull(),
    taskLabel: text("task_label").notNull(),
    toolName: text("tool_name").notNull(),
    subject: text("subject").notNull(),
    preview: text("preview"),
    riskLevel: text("risk_level"),
    summary: jsonb("summary").$type<string[]>(),
    payload: jsonb("payload").$type<Record<string, unknown>>(),
    imageIds: uuid("image_ids").array(),
    /** A paused Conduit generation waiting on this thread (gated agent tools). */
    generationId: uuid("generation_id"),
    status: text("status").$type<GateThreadStatus>().notNull(),
    elevated: boolean("elevated").notNull().default(false),
    revisionId: text("revision_id"),
    decisionMessage: text("decision_message"),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    decidedByUserId: uuid("decided_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("gate_threads_task_idx").on(t.orgId, t.gateAgentId, t.taskId), index("gate_threads_status_idx").on(t.orgId, t.status)],
);

/**
 * A thread's decision history, oldest first: the rules opening it (needs_review or escalated), a
 * revision the rules weighed again, a reviewer's escalation, and the final approval or rejection.
 * The thread row keeps only the latest; this keeps each step.
 */
export const gateDecisions = pgTable(
  "gate_decisions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgId(),
    threadId: uuid("thread_id")
      .notNull()
      .references(() => gateThreads.id, { onDelete: "cascade" }),
    /** The thread's status after this step. */
    status: text("status").$type<GateThreadStatus>().notNull(),
    message: text("message").notNull(),
    /** Kept apart from the user id, which a deleted user leaves null. */
    decidedBy: text("decided_by").$type<"rules" | "reviewer">().notNull(),
    decidedByUserId: uuid("decided_by_user_id").references(() => users.id, { onDelete: "set null" }),
    revisionId: text("revision_id"),
    createdAt: createdAt(),
  },
  (t) => [index("gate_decisions_thread_idx").on(t.threadId, t.createdAt)],
);

/** Every decision request, including auto-decided ones that create no thread. */
export const gateRequests = pgTable(
  "gate_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgId(),
    gateAgentId: uuid("gate_agent_id")
      .notNull()
      .references(() => gateAgents.id, { onDelete: "cascade" }),
    taskId: text("task_id").notNull(),
    threadId: uuid("thread_id").references(() => gateThreads.id, { onDelete: "cascade" }),
    toolName: text("tool_name").notNull(),
    status: text("status").$type<"allow" | "reject" | "pending_review">().notNull(),
    message: text("message").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("gate_requests_task_idx").on(t.orgId, t.gateAgentId, t.taskId, t.createdAt)],
);

export const gateEvents = pgTable(
  "gate_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgId(),
    gateAgentId: uuid("gate_agent_id")
      .notNull()
      .references(() => gateAgents.id, { onDelete: "cascade" }),
    taskId: text("task_id").notNull(),
    threadId: uuid("thread_id").references(() => gateThreads.id, { onDelete: "cascade" }),
    eventType: text("event_type").notNull(),
    eventSummary: text("event_summary").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>(),
    imageIds: uuid("image_ids").array(),
    createdAt: createdAt(),
  },
  (t) => [index("gate_events_task_idx").on(t.orgId, t.gateAgentId, t.taskId, t.createdAt)],
);

export const gateImages = pgTable(
  "gate_images",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    mediaType: text("media_type").notNull(),
    /** base64 of the image bytes (bytea would need driver-specific handling across PGlite and pg). */
    data: text("data").notNull(),
    bytes: integer("bytes").notNull(),
    createdAt: createdAt(),
  },
  // Every upload sums its organisation's image bytes against the storage cap; the index covers it.
  (t) => [index("gate_images_org_bytes_idx").on(t.orgId, t.bytes)],
);

/** One-time approval tokens: only a hash is kept; consuming sets consumed_at exactly once. */
export const approvalTokens = pgTable("approval_tokens", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id")
    .notNull()
    .references(() => organisations.id, { onDelete: "cascade" }),
  threadId: uuid("thread_id")
    .notNull()
    .unique()
    .references(() => gateThreads.id, { onDelete: "cascade" }),
  taskId: text("task_id").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  consumedAt: timestamp("consumed_at", { withTimezone: true }),
  createdAt: createdAt(),
});

/** Postgres's full-text document type; written only by the database (a generated column). */
const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/** A PDF is stored as the text of its pages, separated by form feeds. */
export type KnowledgeContentType = "text/plain" | "text/markdown" | "text/html" | "application/pdf";

/** A document of an organisation's knowledge: one per path; uploading the same path replaces it. */
export const documents = pgTable(
  "documents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    publicId: text("public_id").notNull().unique(),
    orgId: orgId(),
    path: text("path").notNull(),
    contentType: text("content_type").$type<KnowledgeContentType>().notNull(),
    content: text("content").notNull(),
    bytes: integer("bytes").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("documents_org_path_idx").on(t.orgId, t.path)],
);

/** A named collection of short entries an agent may read (and, with write_memory, add to). */
export const memories = pgTable(
  "memories",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    publicId: text("public_id").notNull().unique(),
    orgId: orgId(),
    name: text("name").notNull(),
    description: text("description"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("memories_org_idx").on(t.orgId)],
);

export const memoryEntries = pgTable(
  "memory_entries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    publicId: text("public_id").notNull().unique(),
    orgId: orgId(),
    memoryId: uuid("memory_id")
      .notNull()
      .references(() => memories.id, { onDelete: "cascade" }),
    content: text("content").notNull(),
    tags: text("tags")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /**
     * The public id of the generation that wrote it through write_memory (no foreign key: a new
     * generation's row is written when its run ends); null: written through the API.
     */
    generationId: text("generation_id"),
    createdAt: createdAt(),
  },
  (t) => [index("memory_entries_memory_idx").on(t.memoryId, t.createdAt)],
);

/**
 * The retrievable passages: a document's chunks and memory entries (one chunk each). Ranked by
 * full text on `search` (heading weighted A, body B) and, where pgvector is installed, by an
 * `embedding vector` column added at start outside the migrations (see lib/db/vectors.ts).
 */
export const knowledgeChunks = pgTable(
  "knowledge_chunks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgId(),
    documentId: uuid("document_id").references(() => documents.id, { onDelete: "cascade" }),
    memoryEntryId: uuid("memory_entry_id").references(() => memoryEntries.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    /** The headings above the passage, outermost first, joined with " › " (for citations). */
    heading: text("heading").notNull().default(""),
    content: text("content").notNull(),
    search: tsvector("search")
      .notNull()
      .generatedAlwaysAs(
        sql`setweight(to_tsvector('english', coalesce(heading, '')), 'A') || setweight(to_tsvector('english', content), 'B')`,
      ),
    /** The model that made the passage's embedding; null: not embedded (full text only). */
    embeddingModel: text("embedding_model"),
    /** A model whose provider refused to embed this passage (e.g. too long for it): the backfill skips it for that model. */
    embeddingRefusedBy: text("embedding_refused_by"),
    // What a search selects by and cites, copied from the passage's source (which never changes
    // them: a document replaced at its path gets new passages), so a search reads this table alone.
    documentPublicId: text("document_public_id"),
    documentPath: text("document_path"),
    memoryPublicId: text("memory_public_id"),
    entryPublicId: text("entry_public_id"),
    /** The memory entry's tags; null for a document's passage. */
    tags: text("tags").array(),
  },
  (t) => [
    // No pending list: PGlite never vacuums, so one would grow until 4 MB and every search would read it through.
    index("knowledge_chunks_search_idx").using("gin", t.search).with({ fastupdate: false }),
    index("knowledge_chunks_document_idx").on(t.documentId, t.position),
    index("knowledge_chunks_entry_idx").on(t.memoryEntryId),
    check("knowledge_chunks_one_source", sql`(${t.documentId} is null) <> (${t.memoryEntryId} is null)`),
  ],
);

export type Organisation = typeof organisations.$inferSelect;
export type User = typeof users.$inferSelect;
export type Agent = typeof agents.$inferSelect;
export type AiProvider = typeof aiProviders.$inferSelect;
export type Invitation = typeof invitations.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
export type UserToken = typeof userTokens.$inferSelect;
export type Tool = typeof tools.$inferSelect;
export type Actor = typeof actors.$inferSelect;
export type Generation = typeof generations.$inferSelect;
export type GenerationStep = typeof generationSteps.$inferSelect;
export type KnowledgeDocument = typeof documents.$inferSelect;
export type Memory = typeof memories.$inferSelect;
export type MemoryEntry = typeof memoryEntries.$inferSelect;
export type AgentTask = typeof agentTasks.$inferSelect;
export type Job = typeof jobs.$inferSelect;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type ChannelConnection = typeof channelConnections.$inferSelect;
export type ChannelContact = typeof channelContacts.$inferSelect;
export type ChannelMessage = typeof channelMessages.$inferSelect;
export type Automation = typeof automations.$inferSelect;
export type AutomationRun = typeof automationRuns.$inferSelect;
export type WidgetKey = typeof widgetKeys.$inferSelect;
export type WidgetVisitor = typeof widgetVisitors.$inferSelect;
export type GateAgent = typeof gateAgents.$inferSelect;
export type GateTool = typeof gateTools.$inferSelect;
export type GateRule = typeof gateRules.$inferSelect;
export type GateThread = typeof gateThreads.$inferSelect;
