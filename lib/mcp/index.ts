/** Conduit as an MCP server: each caller's tools, built per request over the one run pipeline. */
export { handleMcpRequest, type McpIdentity } from "./server";
export { askToolName } from "./agents";
