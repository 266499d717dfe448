export { ToolError } from "./errors";
export { executeHttpTool, type HttpToolCall, type HttpToolConfig, type HttpToolMethod, type HttpToolResult } from "./http";
export { openMcpConnection, type McpConnection, type McpServerConfig, type McpTool } from "./mcp";
export { assertAllowedUrl, createGuardedFetch, guardedLookup } from "./guard";
