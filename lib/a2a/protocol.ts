/**
 * A2A v0.3 over JSON-RPC 2.0, as its clients (the A2A SDK's `LegacyJsonRpcTransport` among them)
 * write it: the requests Conduit reads, checked with zod, and the objects it answers with.
 */
import { z } from "zod";

export const A2A_PROTOCOL_VERSION = "0.3.0";

/** Message names; `tasks/send` and `tasks/sendSubscribe` are the older names of the two message methods. */
export const SEND_METHODS = ["message/send", "tasks/send"] as const;
export const STREAM_METHODS = ["message/stream", "tasks/sendSubscribe"] as const;

/** The A2A error codes Conduit answers with, besides JSON-RPC's own. */
export const A2A_ERRORS = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  TASK_NOT_FOUND: -32001,
  TASK_NOT_CANCELABLE: -32002,
  CONTENT_TYPE_NOT_SUPPORTED: -32005,
} as const;

export const JsonRpcRequest = z.object({
  jsonrpc: z.literal("2.0", { error: 'jsonrpc must be "2.0"' }),
  id: z.union([z.string(), z.number()], { error: "id must be a string or a number" }),
  method: z.string({ error: "method must be a string" }),
  params: z.unknown().optional(),
});
export type JsonRpcRequest = z.output<typeof JsonRpcRequest>;

const metadata = z.record(z.string(), z.unknown()).optional();
const historyLength = z.number({ error: "historyLength must be a number" }).int().min(0).optional();

/** Text is what an agent reads; file and data parts are recognised so they can be refused by name. */
const Part = z.discriminatedUnion(
  "kind",
  [
    z.looseObject({ kind: z.literal("text"), text: z.string({ error: "a text part's text must be a string" }) }),
    z.looseObject({ kind: z.literal("file") }),
    z.looseObject({ kind: z.literal("data") }),
  ],
  { error: "each part must be a text, file or data part" },
);

export const MessageSendParams = z.object({
  message: z.object({
    kind: z.literal("message", { error: 'message.kind must be "message"' }),
    messageId: z.string({ error: "message.messageId must be a string" }).min(1).max(200),
    role: z.literal("user", { error: 'message.role must be "user"' }),
    parts: z.array(Part, { error: "message.parts must be an array" }).min(1, "message.parts must not be empty"),
    contextId: z.string({ error: "message.contextId must be a string" }).optional(),
    taskId: z.string({ error: "message.taskId must be a string" }).optional(),
    metadata,
  }),
  configuration: z.looseObject({ historyLength, blocking: z.boolean().optional() }).optional(),
  metadata,
});
export type MessageSendParams = z.output<typeof MessageSendParams>;

export const TaskQueryParams = z.object({ id: z.string({ error: "id must be a string" }).min(1), historyLength, metadata });
export const TaskIdParams = z.object({ id: z.string({ error: "id must be a string" }).min(1), metadata });

/** Where a calling Conduit agent's run sits in its trace tree (`message.metadata[TRACE_METADATA_KEY]`): this run becomes its child. */
export const TraceMetadata = z.object({
  parent_trace_id: z.string().min(1).max(200),
  root_trace_id: z.string().min(1).max(200),
  call_depth: z.number().int().min(0).max(1000),
});

export type TaskState = "submitted" | "working" | "input-required" | "completed" | "canceled" | "failed";

export interface TextPart {
  kind: "text";
  text: string;
}

export interface A2aMessage {
  kind: "message";
  messageId: string;
  role: "user" | "agent";
  parts: TextPart[];
  taskId: string;
  contextId: string;
}

export interface TaskStatus {
  state: TaskState;
  message?: A2aMessage;
  timestamp: string;
}

export interface Artifact {
  artifactId: string;
  name?: string;
  parts: TextPart[];
}

export interface Task {
  kind: "task";
  id: string;
  contextId: string;
  status: TaskStatus;
  artifacts?: Artifact[];
  history?: A2aMessage[];
  metadata?: Record<string, unknown>;
}

export interface TaskStatusUpdateEvent {
  kind: "status-update";
  taskId: string;
  contextId: string;
  status: TaskStatus;
  final: boolean;
}

export interface TaskArtifactUpdateEvent {
  kind: "artifact-update";
  taskId: string;
  contextId: string;
  artifact: Artifact;
  append: boolean;
  lastChunk: boolean;
}

export type StreamEvent = Task | TaskStatusUpdateEvent | TaskArtifactUpdateEvent;
