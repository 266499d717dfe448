export { ToolError } from "./errors";
export { executeHttpTool, type HttpToolCall, type HttpToolConfig, type HttpToolMethod, type HttpToolResult } from "./http";
export { openMcpConnection, type McpConnection, type McpServerConfig, type McpTool } from "./mcp";
export { assertAllowedUrl, guardedLookup, guardedRequest, isAddressAllowed } from "./ssrf";
export { createGuardedFetch, type GuardedFetch } from "./fetch";
