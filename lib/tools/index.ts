export { ToolError } from "./errors";
export { connectA2aAgent, type A2aAgent, type A2aAgentConfig, type A2aCaller, type A2aReply } from "./a2a";
export { executeHttpTool, type HttpToolCall, type HttpToolConfig, type HttpToolMethod, type HttpToolResult } from "./http";
export { openMcpConnection, type McpConnection, type McpServerConfig, type McpTool } from "./mcp";
export { assertAllowedUrl, createGuardedFetch, guardedLookup } from "./guard";
