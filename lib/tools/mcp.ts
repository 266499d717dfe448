import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";
import { ErrorCode, McpError, type ContentBlock } from "@modelcontextprotocol/sdk/types.js";
import { config } from "@/lib/config";
import type { McpServerConfig } from "@/lib/contracts/tool-configs";
import { ToolError } from "./errors";
import { assertAllowedUrl, createGuardedFetch } from "./guard";

export type { McpServerConfig };

export interface McpTool {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

export interface McpConnection {
  tools: McpTool[];
  call(name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

/** Stops a server that keeps handing out cursors from paging forever. */
const MAX_TOOL_PAGES = 20;

/** Connects to an MCP server over Streamable HTTP and lists its (allow-listed) tools. */
export async function openMcpConnection(server: McpServerConfig, signal?: AbortSignal): Promise<McpConnection> {
  const url = parseUrl(server.url);
  await assertAllowedUrl(url);
  const oversized = new OversizedWatch();
  const client = new Client({ name: "conduit", version: "0.1.0" });
  const transport = new StreamableHTTPClientTransport(url, {
    fetch: createGuardedFetch((error) => oversized.report(error)),
    requestInit: server.headers ? { headers: server.headers } : undefined,
  });
  try {
    await oversized.guard(client.connect(transport, requestOptions(signal)));
    const tools = await oversized.guard(listTools(client, server.tools, requestOptions(signal)));
    return {
      tools,
      call: (name, args, callSignal) => callTool(client, oversized, tools, name, args, callSignal),
      close: () => client.close(),
    };
  } catch (error) {
    await client.close();
    throw asToolError(error, `MCP server ${url.origin}`);
  }
}

/**
 * Fails a connection's in-flight requests when one of its responses exceeds the size cap: the SDK
 * only logs errors of SSE streams, so the request would otherwise wait for its timeout. Concurrent
 * requests on the same connection fail too, as the stream cannot be matched to its request.
 */
class OversizedWatch {
  private readonly listeners = new Set<(error: ToolError) => void>();

  report(error: ToolError): void {
    for (const listener of this.listeners) listener(error);
  }

  async guard<T>(task: Promise<T>): Promise<T> {
    let listener: (error: ToolError) => void = () => undefined;
    const failed = new Promise<never>((_resolve, reject) => {
      listener = reject;
      this.listeners.add(listener);
    });
    try {
      return await Promise.race([task, failed]);
    } finally {
      this.listeners.delete(listener);
    }
  }
}

function parseUrl(value: string): URL {
  try {
    return new URL(value);
  } catch (error) {
    throw new ToolError("The MCP server URL is not a valid URL", { cause: error });
  }
}

const requestOptions = (signal: AbortSignal | undefined): RequestOptions => ({
  signal,
  timeout: config().TOOL_TIMEOUT_MS,
});

async function listTools(client: Client, allowed: string[] | undefined, options: RequestOptions): Promise<McpTool[]> {
  const tools: McpTool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_TOOL_PAGES; page++) {
    const result = await client.listTools(cursor ? { cursor } : undefined, options);
    for (const { name, description, inputSchema } of result.tools) {
      if (!allowed || allowed.includes(name)) tools.push({ name, description, inputSchema });
    }
    cursor = result.nextCursor;
    if (!cursor) break;
  }
  return tools;
}

async function callTool(
  client: Client,
  oversized: OversizedWatch,
  tools: McpTool[],
  name: string,
  args: Record<string, unknown>,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  if (!tools.some((tool) => tool.name === name)) throw new ToolError(`MCP tool "${name}" is not available`);
  let result: Awaited<ReturnType<Client["callTool"]>>;
  try {
    result = await oversized.guard(client.callTool({ name, arguments: args }, undefined, requestOptions(signal)));
  } catch (error) {
    throw asToolError(error, `MCP tool "${name}"`);
  }
  // Servers older than protocol 2024-11-05 answer with a bare toolResult.
  if (!Array.isArray(result.content)) return result.toolResult;
  const text = result.content.map(describeContent).join("\n");
  if (result.isError) throw new ToolError(text || `MCP tool "${name}" failed`);
  return result.structuredContent ?? text;
}

/** Text stays text; binary parts are named rather than inlined, since the model cannot read base64. */
function describeContent(block: ContentBlock): string {
  switch (block.type) {
    case "text":
      return block.text;
    case "image":
    case "audio":
      return `[${block.type}: ${block.mimeType}]`;
    case "resource_link":
      return `[resource: ${block.uri}]`;
    case "resource":
      return "text" in block.resource ? block.resource.text : `[resource: ${block.resource.uri}]`;
  }
}

function asToolError(error: unknown, what: string): ToolError {
  if (error instanceof ToolError) return error;
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
    return new ToolError(`${what} timed out after ${config().TOOL_TIMEOUT_MS} ms`, { cause: error });
  }
  return new ToolError(`${what} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
