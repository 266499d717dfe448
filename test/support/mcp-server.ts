/** A real MCP server over Streamable HTTP on loopback, exposing a few tools for tests. */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

export interface TestMcpServer {
  url: string;
  calls: Array<{ tool: string; args: unknown }>;
  close(): Promise<void>;
}

function buildServer(calls: TestMcpServer["calls"]): McpServer {
  const server = new McpServer({ name: "conduit-test-mcp", version: "1.0.0" });
  server.registerTool("add", { description: "Adds two numbers", inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => {
    calls.push({ tool: "add", args: { a, b } });
    return { content: [{ type: "text", text: String(a + b) }] };
  });
  server.registerTool("explode", { description: "Always fails", inputSchema: {} }, async () => {
    calls.push({ tool: "explode", args: {} });
    return { content: [{ type: "text", text: "kaboom" }], isError: true };
  });
  return server;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : undefined;
}

/** Stateless: every request gets a fresh server and transport, as the SDK recommends for that mode. */
export async function startTestMcpServer(): Promise<TestMcpServer> {
  const calls: TestMcpServer["calls"] = [];
  const http = createServer(async (request, response) => {
    if (request.url !== "/mcp") {
      response.writeHead(404).end();
      return;
    }
    if (request.method !== "POST") {
      response.writeHead(405).end();
      return;
    }
    const server = buildServer(calls);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    response.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(request, response, await readJson(request));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
