import { componentSchemas } from "./components";
import { defaultSecurity, securitySchemes, tags, type Paths } from "./operation";
import { a2aPaths } from "./paths/a2a";
import { agentsApiPaths } from "./paths/agents-api";
import { automationPaths } from "./paths/automations";
import { channelPaths } from "./paths/channels";
import { widgetPaths } from "./paths/widget";
import { conduitPaths } from "./paths/conduit";
import { gatePaths } from "./paths/gate";
import { knowledgePaths } from "./paths/knowledge";
import { mcpPaths } from "./paths/mcp";
import { openAiPaths } from "./paths/openai";
import { taskGatewayPaths } from "./paths/task-gateway";
import { webhookEndpointPaths } from "./paths/webhook-endpoints";
import { webhooks } from "./webhooks";

let document: Record<string, unknown> | undefined;

const apiPaths: Paths = {
  ...agentsApiPaths,
  ...knowledgePaths,
  ...conduitPaths,
  ...taskGatewayPaths,
  ...gatePaths,
  ...channelPaths,
  ...widgetPaths,
  ...automationPaths,
  ...webhookEndpointPaths,
  ...mcpPaths,
  ...a2aPaths,
  ...openAiPaths,
};

function buildDocument(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "Conduit",
      version: "1.0.0",
      description:
        "Self-hostable AI agent gateway. Every operation Conduit serves and every webhook it sends: the SOAT Agents API (`/api/v1/agents…`) path for path, AI providers and traces, agent chat, v1 chat, the task gateway and key management, organisation settings, the approval gate, channel connections and their callbacks, automations and their webhook triggers, event webhook endpoints, the MCP server, the A2A server, the OpenAI-compatible API (`/api/openai/v1`), and health.",
    },
    // Relative, so the document is right behind any host or proxy.
    servers: [{ url: "/" }],
    security: defaultSecurity,
    tags: Object.values(tags),
    paths: apiPaths,
    webhooks,
    components: { securitySchemes, schemas: componentSchemas() },
  };
}

/** Conduit's OpenAPI 3.1 document. Built once per process (the schemas are static); treat it as read-only. */
export function openApiDocument(): Record<string, unknown> {
  document ??= buildDocument();
  return document;
}
