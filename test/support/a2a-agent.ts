/**
 * A scripted remote agent speaking A2A JSON-RPC over real HTTP on loopback (v0.3, or v1.0 on
 * request): it serves its card and answers `message/send` (v1.0: `SendMessage`) with the replies
 * queued by the test, recording every request.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One answer to `message/send`: a task in some state, a plain message, or a JSON-RPC error. */
export type A2aScriptedReply =
  { task: { state: string; text?: string; statusText?: string } } | { message: string } | { error: { code: number; message: string } };

export interface A2aReceived {
  method: string;
  headers: IncomingHttpHeaders;
  body: { jsonrpc: string; id: number | string; method: string; params: { message: A2aWireMessage } };
}

/** A message as sent: v0.3 parts are `{ kind: "text", text }`, v1.0 parts `{ text }`. */
export interface A2aWireMessage {
  kind?: string;
  messageId: string;
  role: string;
  contextId?: string;
  taskId?: string;
  parts: Array<{ kind?: string; text?: string }>;
  metadata?: Record<string, unknown>;
}

/** Serves a card past Conduit's default response cap (1 MiB). */
export const OVERSIZED_CARD_PATH = "/oversized/agent-card.json";

export interface TestA2aAgent {
  /** The card's URL, the tool's a2a.url. */
  cardUrl: string;
  /** Every card fetch, with its headers. */
  cardRequests: IncomingHttpHeaders[];
  /** Every JSON-RPC request, in arrival order. */
  received: A2aReceived[];
  script(...replies: A2aScriptedReply[]): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startTestA2aAgent(options: { name?: string; protocol?: "0.3" | "1.0" } = {}): Promise<TestA2aAgent> {
  const v1 = options.protocol === "1.0";
  const queue: A2aScriptedReply[] = [];
  const received: A2aReceived[] = [];
  const cardRequests: IncomingHttpHeaders[] = [];
  let tasks = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const send = (status: number, body: unknown) => {
        response.writeHead(status, { "Content-Type": "application/json" });
        response.end(JSON.stringify(body));
      };
      if (request.method === "GET" && request.url === "/.well-known/agent-card.json") {
        cardRequests.push(request.headers);
        const agentCard = card(options.name ?? "Weather Oracle", `${baseUrl()}/a2a`);
        return send(200, v1 ? toV1Card(agentCard) : agentCard);
      }
      if (request.method === "GET" && request.url === OVERSIZED_CARD_PATH) {
        cardRequests.push(request.headers);
        return send(200, { ...card("Verbose", `${baseUrl()}/a2a`), description: "x".repeat(2 * 1024 * 1024) });
      }
      if (request.method !== "POST" || request.url !== "/a2a") return send(404, { error: "not found" });
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as A2aReceived["body"];
      received.push({ method: body.method, headers: request.headers, body });
      if (body.method !== (v1 ? "SendMessage" : "message/send")) {
        return send(200, { jsonrpc: "2.0", id: body.id, error: { code: -32601, message: "Method not found" } });
      }
      const reply = queue.shift() ?? { message: "No reply scripted." };
      const incoming = body.params.message;
      const contextId = incoming.contextId ?? `ctx-${received.length}`;
      if ("error" in reply) return send(200, { jsonrpc: "2.0", id: body.id, error: reply.error });
      if ("message" in reply) {
        const message = agentMessage(reply.message, contextId);
        return send(200, { jsonrpc: "2.0", id: body.id, result: v1 ? { message: toV1Message(message) } : message });
      }
      const taskId = incoming.taskId ?? `task-${++tasks}`;
      const status = reply.task.statusText ? agentMessage(reply.task.statusText, contextId, taskId) : undefined;
      const artifacts = reply.task.text ? [{ artifactId: `artifact-${taskId}`, parts: [{ kind: "text", text: reply.task.text }] }] : [];
      const task = v1
        ? {
            task: {
              id: taskId,
              contextId,
              status: { state: `TASK_STATE_${reply.task.state.toUpperCase().replace("-", "_")}`, message: status && toV1Message(status) },
              artifacts: artifacts.map((artifact) => ({ artifactId: artifact.artifactId, parts: [{ text: reply.task.text }] })),
            },
          }
        : {
            kind: "task",
            id: taskId,
            contextId,
            status: { state: reply.task.state, ...(status ? { message: status } : {}), timestamp: new Date().toISOString() },
            artifacts,
            history: [incoming],
          };
      return send(200, { jsonrpc: "2.0", id: body.id, result: task });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    cardUrl: `${baseUrl()}/.well-known/agent-card.json`,
    cardRequests,
    received,
    script: (...replies) => queue.push(...replies),
    reset: () => {
      queue.length = 0;
      received.length = 0;
      cardRequests.length = 0;
      tasks = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function card(name: string, url: string) {
  return {
    protocolVersion: "0.3.0",
    name,
    description: "Knows tomorrow's weather",
    url,
    preferredTransport: "JSONRPC",
    version: "1.0.0",
    capabilities: { streaming: false, pushNotifications: false },
    defaultInputModes: ["text/plain"],
    defaultOutputModes: ["text/plain"],
    skills: [{ id: "forecast", name: "Forecast", description: "Forecasts the weather of a city", tags: ["weather"] }],
  };
}

function agentMessage(text: string, contextId: string, taskId?: string) {
  return {
    kind: "message",
    messageId: `msg-${Math.random().toString(36).slice(2)}`,
    role: "agent",
    parts: [{ kind: "text", text }],
    contextId,
    taskId,
  };
}

/** The same card in v1.0's shape: its interfaces listed with their protocol version. */
function toV1Card({ url, protocolVersion: _version, preferredTransport: _transport, ...rest }: ReturnType<typeof card>) {
  return { ...rest, supportedInterfaces: [{ url, protocolBinding: "JSONRPC", protocolVersion: "1.0" }] };
}

function toV1Message(message: ReturnType<typeof agentMessage>) {
  return {
    messageId: message.messageId,
    contextId: message.contextId,
    taskId: message.taskId,
    role: "ROLE_AGENT",
    parts: message.parts.map(({ text }) => ({ text })),
  };
}
