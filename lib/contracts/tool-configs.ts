/** How stored tools run: the `execute` of an http tool, the `mcp` of an MCP tool and the `a2a` of an A2A tool, as the database keeps them. */
export type HttpToolMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface HttpToolConfig {
  url: string;
  method?: HttpToolMethod;
  headers?: Record<string, string>;
}

export interface McpServerConfig {
  url: string;
  headers?: Record<string, string>;
  /** Allow-list of remote tool names; absent: all. */
  tools?: string[];
}

export interface A2aAgentConfig {
  /** The remote agent's card (e.g. https://agent.example/.well-known/agent-card.json). */
  url: string;
  headers?: Record<string, string>;
}

/**
 * What API responses show for each header value of an http, MCP or A2A tool: the values are credentials,
 * stored encrypted and never returned. Sending it back as a value keeps the stored one.
 */
export const MASKED_HEADER_VALUE = "********";

/**
 * The A2A message metadata in which a calling Conduit agent says where its run sits in its trace
 * tree: Conduit's a2a tools send it, and Conduit's A2A server files the run it starts as a child.
 */
export const TRACE_METADATA_KEY = "conduit/trace";
