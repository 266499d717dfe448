/** How stored tools run: the `execute` of an http tool and the `mcp` of an MCP tool, as the database keeps them. */
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

/**
 * What API responses show for each header value of an http or MCP tool: the values are credentials,
 * stored encrypted and never returned. Sending it back as a value keeps the stored one.
 */
export const MASKED_HEADER_VALUE = "********";
