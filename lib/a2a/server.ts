/**
 * The A2A server: one JSON-RPC endpoint per agent, over the one run pipeline (door `a2a`).
 *
 * A dispatcher of its own rather than the A2A SDK's `LegacyJsonRpcTransportHandler`: the SDK's
 * handler serves v1.0 request handlers through a translation layer, keeps tasks in its own
 * store and event bus, knows neither `tasks/send` nor `tasks/sendSubscribe`, and writes errors
 * without Conduit's code, status and request id. Here tasks are generations, read back from the
 * database, and the wire format is what the SDK's v0.3 client (`LegacyJsonRpcTransport`) reads.
 */
import { findAgent } from "@/lib/agents";
import type { ApiKeyAuth } from "@/lib/auth";
import { TRACE_METADATA_KEY } from "@/lib/contracts/tool-configs";
import { newPublicId, UUID_PATTERN, type Agent, type Db } from "@/lib/db";
import { ApiError, notFound, toApiError, type ErrorCode } from "@/lib/errors";
import { keyConversationTurns, startGeneration, streamGeneration, type RunRequest, type StartedStream } from "@/lib/generations";
import { parseInput, streamResponse, type RequestContext, type StreamEncoding } from "@/lib/http";
import { keyAllowsAgent } from "@/lib/keys";
import { jsonRpcError } from "@/lib/surfaces/envelopes";
import {
  A2A_ERRORS,
  JsonRpcRequest,
  MessageSendParams,
  SEND_METHODS,
  STREAM_METHODS,
  TaskIdParams,
  TaskQueryParams,
  TraceMetadata,
  type StreamEvent,
  type Task,
  type TaskStatusUpdateEvent,
} from "./protocol";
import { cancelTask, runningTask, trackTask, untrackTask, type RunningTask } from "./running";
import { agentMessage, outcomeFacts, statusText, storedTask, toTask, type TaskFacts } from "./tasks";

/** As on the MCP server's ask tools. */
const MAX_PROMPT_CHARS = 10_000;

type RpcId = string | number | null;

/** Refusals inside a method: A2A's own codes where it has one; Conduit's (budget, limits, …) in the server-error range. */
const A2A_CODES: Partial<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: A2A_ERRORS.INVALID_PARAMS,
  BAD_REQUEST: A2A_ERRORS.INVALID_PARAMS,
  NOT_FOUND: A2A_ERRORS.TASK_NOT_FOUND,
  CONFLICT: A2A_ERRORS.TASK_NOT_CANCELABLE,
  UNSUPPORTED_MEDIA_TYPE: A2A_ERRORS.CONTENT_TYPE_NOT_SUPPORTED,
};

const errorBody = (id: RpcId, error: ApiError, requestId: string, code = A2A_CODES[error.code]) => ({
  jsonrpc: "2.0" as const,
  id,
  error: jsonRpcError(error, requestId, code),
});

/** A message was read: its answer, an error included, is HTTP 200, as JSON-RPC over HTTP has it. */
const rpcError = (id: RpcId, error: ApiError, requestId: string, code?: number) => Response.json(errorBody(id, error, requestId, code));

interface Call {
  db: Db;
  auth: ApiKeyAuth;
  agent: Agent;
  request: Request;
  context: RequestContext;
}

/** The agent of the endpoint; one this key may not use looks exactly like a missing one. */
async function agentFor(auth: ApiKeyAuth, agentPublicId: string): Promise<Agent> {
  const found = await findAgent(auth.key.orgId, agentPublicId);
  if (!found || found.agent.publicId !== agentPublicId || !keyAllowsAgent(auth.key, found.agent.id)) throw notFound("Agent");
  return found.agent;
}

/** A task takes one message: a message naming one is refused, and names what to do instead. */
async function refuseTaskMessage(call: Call, taskId: string): Promise<never> {
  const live = runningTask(taskId, call.auth.key.id, call.agent.id);
  const state = live ? live.facts.state : (await storedTask(call.db, call.auth, call.agent, taskId)).state;
  throw new ApiError(
    "VALIDATION_FAILED",
    `Task ${taskId} is ${state} and takes no further message: send a message without taskId, with the task's contextId to continue the conversation`,
  );
}

interface PreparedRun {
  run: RunRequest;
  /** Chosen here, so a stream's first event can already name it. */
  traceId: string;
  prompt: string;
  /** The conversation continued; a new one is named after the run's reply. */
  contextId: string | undefined;
}

/** A message as a run: its text, the conversation it continues, and its place in a calling agent's trace. */
async function prepareRun(call: Call, params: MessageSendParams): Promise<PreparedRun> {
  const { message } = params;
  if (message.taskId !== undefined) await refuseTaskMessage(call, message.taskId);
  const other = message.parts.find((part) => part.kind !== "text");
  if (other) throw new ApiError("UNSUPPORTED_MEDIA_TYPE", `Only text parts are supported, not ${other.kind} parts`);
  const prompt = message.parts
    .flatMap((part) => (part.kind === "text" ? [part.text] : []))
    .join("\n")
    .trim();
  if (prompt === "") throw new ApiError("VALIDATION_FAILED", "message.parts: the message has no text");
  if (prompt.length > MAX_PROMPT_CHARS)
    throw new ApiError("VALIDATION_FAILED", "message.parts: the text must be at most 10,000 characters");
  const contextId = message.contextId;
  if (contextId !== undefined && !UUID_PATTERN.test(contextId)) {
    throw new ApiError("VALIDATION_FAILED", "message.contextId: not a contextId of an earlier task");
  }
  const messages = await keyConversationTurns(call.db, call.auth.key, call.agent, "a2a", contextId, prompt).catch((error: unknown) => {
    if (error instanceof ApiError && error.code === "NOT_FOUND") {
      throw new ApiError("VALIDATION_FAILED", "message.contextId: no conversation of this key with this agent has this id");
    }
    throw error;
  });
  // A calling agent's run (Conduit's outbound A2A tool) makes this one its child; anything malformed is ignored.
  const trace = TraceMetadata.safeParse(message.metadata?.[TRACE_METADATA_KEY]);
  const lineage = trace.success
    ? { parentTraceId: trace.data.parent_trace_id, rootTraceId: trace.data.root_trace_id, callDepth: trace.data.call_depth }
    : {};
  const traceId = newPublicId("trace");
  return {
    run: { door: "a2a", agentRef: call.agent.id, messages, conversationId: contextId, traceId, ...lineage },
    traceId,
    prompt,
    contextId,
  };
}

/** `message/send`: the agent runs to the end (or to a pause), and the task is the answer. */
async function sendMessage(call: Call, params: MessageSendParams): Promise<Task> {
  const prepared = await prepareRun(call, params);
  const outcome = await startGeneration(prepared.run, { key: call.auth.key, timing: call.context.timing, signal: call.request.signal });
  return toTask(
    outcomeFacts(outcome, call.agent, prepared.contextId ?? outcome.rowId, prepared.prompt),
    params.configuration?.historyLength,
  );
}

const statusUpdate = (facts: TaskFacts, final: boolean, text = statusText(facts)): TaskStatusUpdateEvent => ({
  kind: "status-update",
  taskId: facts.id,
  contextId: facts.contextId,
  status: { state: facts.state, ...(text !== null ? { message: agentMessage(facts, text) } : {}), timestamp: new Date().toISOString() },
  final,
});

/**
 * A running task's events: the task, then its reply as it comes (one artifact, appended to) and
 * its tool calls as working updates, and last a final status update with the end state.
 */
async function* taskEvents(call: Call, task: RunningTask, started: StartedStream): AsyncGenerator<StreamEvent, void> {
  yield toTask(task.facts);
  try {
    let opened = false;
    for (let event = started.first; ;) {
      if (event.type === "text-delta") {
        yield {
          kind: "artifact-update",
          taskId: task.facts.id,
          contextId: task.facts.contextId,
          artifact: { artifactId: "reply", name: "reply", parts: [{ kind: "text", text: event.delta }] },
          append: opened,
          lastChunk: false,
        };
        opened = true;
      } else if (event.type === "tool-call") {
        yield statusUpdate(task.facts, false, `Calling ${event.toolName}`);
      } else if (event.type === "done") {
        yield statusUpdate(outcomeFacts(event.outcome, call.agent, task.facts.contextId, task.facts.prompt), true);
        return;
      }
      const next = await started.rest.next();
      if (next.done) throw new ApiError("UPSTREAM_ERROR", "The generation ended without any output");
      event = next.value;
    }
  } catch (error) {
    if (task.facts.state === "canceled") {
      yield statusUpdate(task.facts, true);
      return;
    }
    const apiError = toApiError(error, call.context.requestId);
    yield statusUpdate({ ...task.facts, state: "failed", note: `${apiError.code}: ${apiError.message}` }, true);
  } finally {
    untrackTask(task.facts.id);
    await started.rest.return();
  }
}

const eventStream = (id: RpcId, requestId: string): StreamEncoding<StreamEvent> => ({
  contentType: "text/event-stream; charset=utf-8",
  encode: (result) => `data: ${JSON.stringify({ jsonrpc: "2.0", id, result })}\n\n`,
  encodeError: (error) => `data: ${JSON.stringify(errorBody(id, error, requestId))}\n\n`,
});

/**
 * `message/stream`: server-sent events over the run. A refusal before the run starts (budget,
 * limits) is a plain JSON-RPC error; a client that goes away stops the run.
 */
async function streamMessage(call: Call, id: RpcId, params: MessageSendParams): Promise<Response> {
  const prepared = await prepareRun(call, params);
  const controller = new AbortController();
  const signal = AbortSignal.any([call.request.signal, controller.signal]);
  const started = await streamGeneration(prepared.run, { key: call.auth.key, timing: call.context.timing, signal });
  const task: RunningTask = {
    keyId: call.auth.key.id,
    agentId: call.agent.id,
    controller,
    facts: {
      id: started.generationId,
      contextId: prepared.contextId ?? started.rowId,
      state: "working",
      prompt: prepared.prompt,
      reply: null,
      note: null,
      traceId: prepared.traceId,
    },
  };
  trackTask(task);
  const events = taskEvents(call, task, started);
  // Started here, so closing the stream always reaches the generator's cleanup.
  const first = await events.next();
  if (first.done) throw new ApiError("UPSTREAM_ERROR", "The generation ended without any output");
  return streamResponse({ first: first.value, rest: events }, eventStream(id, call.context.requestId), {
    requestId: call.context.requestId,
    abort: () => controller.abort(),
  });
}

/** `tasks/get`: a running task of this instance as it stands, else as stored. */
async function getTask(call: Call, params: unknown): Promise<Task> {
  const { id, historyLength } = parseInput(TaskQueryParams, params ?? {}, "params");
  const live = runningTask(id, call.auth.key.id, call.agent.id);
  return toTask(live ? live.facts : await storedTask(call.db, call.auth, call.agent, id), historyLength);
}

/** `tasks/cancel`: a running task stops and reads canceled; a settled one cannot be canceled. */
async function cancel(call: Call, params: unknown): Promise<Task> {
  const { id } = parseInput(TaskIdParams, params ?? {}, "params");
  const live = runningTask(id, call.auth.key.id, call.agent.id);
  if (live && live.facts.state === "working") {
    cancelTask(live);
    return toTask(live.facts);
  }
  const state = live ? live.facts.state : (await storedTask(call.db, call.auth, call.agent, id)).state;
  throw new ApiError("CONFLICT", `Task ${id} is ${state} and cannot be canceled`);
}

const isOneOf = <T extends string>(names: readonly T[], method: string): method is T => (names as readonly string[]).includes(method);

/** Answers one JSON-RPC request to an agent's A2A endpoint. */
export async function handleA2aRequest(input: Omit<Call, "agent"> & { body: unknown; agentPublicId: string }): Promise<Response> {
  const call: Call = { ...input, agent: await agentFor(input.auth, input.agentPublicId) };
  const { requestId } = input.context;
  if (Array.isArray(input.body)) {
    return rpcError(
      null,
      new ApiError("BAD_REQUEST", "Batches are not supported: send one JSON-RPC request"),
      requestId,
      A2A_ERRORS.INVALID_REQUEST,
    );
  }
  const parsed = JsonRpcRequest.safeParse(input.body);
  if (!parsed.success) {
    const message = `Not a JSON-RPC 2.0 request: ${parsed.error.issues.map((issue) => issue.message).join("; ")}`;
    return rpcError(null, new ApiError("BAD_REQUEST", message), requestId, A2A_ERRORS.INVALID_REQUEST);
  }
  const { id, method, params } = parsed.data;
  try {
    if (isOneOf(SEND_METHODS, method))
      return Response.json({ jsonrpc: "2.0", id, result: await sendMessage(call, parseInput(MessageSendParams, params ?? {}, "params")) });
    if (isOneOf(STREAM_METHODS, method)) return await streamMessage(call, id, parseInput(MessageSendParams, params ?? {}, "params"));
    if (method === "tasks/get") return Response.json({ jsonrpc: "2.0", id, result: await getTask(call, params) });
    if (method === "tasks/cancel") return Response.json({ jsonrpc: "2.0", id, result: await cancel(call, params) });
    return rpcError(id, new ApiError("BAD_REQUEST", `Method not found: ${method}`), requestId, A2A_ERRORS.METHOD_NOT_FOUND);
  } catch (error) {
    return rpcError(id, toApiError(error, requestId), requestId);
  }
}
