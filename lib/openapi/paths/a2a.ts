/** The A2A server: a public card and a JSON-RPC endpoint per agent. */
import { json, ok, operation, pathParam, surfaces, type Paths } from "../operation";

const agentId = pathParam("agentId", "The agent's public id (`agt_…`)");
const jsonRpc = { type: "object", description: "A JSON-RPC 2.0 request or response, as A2A v0.3 defines them" };
const card = (operationId: string, summary: string) =>
  operation(surfaces.a2aCard, operationId, {
    tag: "a2a",
    summary,
    description:
      "A public discovery document, read without a key: the agent's name, its JSON-RPC endpoint (`url`), capabilities and security scheme.",
    parameters: [agentId],
    responses: { 200: ok("The agent card", "A2aAgentCard") },
    errors: [404],
  });

export const a2aPaths: Paths = {
  "/api/a2a/agents/{agentId}": {
    post: operation(surfaces.a2a, "postA2aMessage", {
      tag: "a2a",
      summary: "Send an A2A JSON-RPC request",
      description:
        "A2A v0.3 over JSON-RPC 2.0: `message/send` (runs the agent to the end and answers the task), `message/stream` (server-sent events: the task, " +
        "the reply as artifact updates, then a final status update), their older names `tasks/send` and `tasks/sendSubscribe`, `tasks/get` and `tasks/cancel`. " +
        "A task is one generation (its id the generation's); its `contextId` is the conversation, which a later message continues. " +
        "Refusals inside a method (budget, rate or plan limit, invalid params, unknown task) are JSON-RPC errors with HTTP 200 and Conduit's code in `data`. " +
        "A key not allowed this agent, and another organisation's agent, are 404.",
      parameters: [agentId],
      bodyContent: json(jsonRpc),
      responses: {
        200: {
          description: "The JSON-RPC response, or for `message/stream` an SSE stream of JSON-RPC responses",
          content: { ...json(jsonRpc), "text/event-stream": { schema: { type: "string" } } },
        },
      },
      errors: [400, 401, 403, 404, 413, 415, 429],
    }),
  },
  "/api/a2a/agents/{agentId}/.well-known/agent-card.json": { get: card("getA2aAgentCard", "Read an agent's A2A card") },
  "/api/a2a/agents/{agentId}/.well-known/agent.json": { get: card("getA2aAgentCardLegacyPath", "Read an agent's A2A card (older path)") },
};
