/** The MCP server: one JSON-RPC endpoint, Streamable HTTP, stateless. */
import { json, operation, surfaces, type Paths } from "../operation";

const jsonRpc = { type: "object", description: "A JSON-RPC 2.0 message (or a batch), as the Model Context Protocol defines them" };

export const mcpPaths: Paths = {
  "/api/mcp": {
    post: operation(surfaces.mcp, "postMcpMessage", {
      tag: "mcp",
      summary: "Send MCP messages (Streamable HTTP)",
      description:
        "Model Context Protocol over Streamable HTTP, without sessions (any instance answers any request). Send `Accept: application/json, text/event-stream`. " +
        "An API key lists one `ask_<agent>` tool per agent it may use, plus `create_task` and `get_task`; a gate agent key (`sg_…`) lists `request_approval`. " +
        "Refusals by Conduit inside a tool call (budget, rate or plan limit, scope, not found) are tool results with `isError: true` and the error code in the text. " +
        "GET and DELETE are 405: there is no standalone event stream and no session to end.",
      bodyContent: json({ oneOf: [jsonRpc, { type: "array", items: jsonRpc }] }),
      responses: {
        200: {
          description: "The JSON-RPC response, as an SSE stream (progress notifications, then the result) or as JSON",
          content: { ...json(jsonRpc), "text/event-stream": { schema: { type: "string" } } },
        },
        202: { description: "Notifications and responses only: accepted, nothing to answer" },
      },
      errors: [400, 401, 403, 413, 415, 429],
    }),
  },
};
