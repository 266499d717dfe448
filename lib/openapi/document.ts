import { componentSchemas } from "./components";
import { apiPaths, tags } from "./paths";

let document: Record<string, unknown> | undefined;

function buildDocument(): Record<string, unknown> {
  return {
    openapi: "3.0.3",
    info: {
      title: "Conduit",
      version: "1.0.0",
      description:
        "Self-hostable AI agent gateway. Implements the SOAT Agents API (`/api/v1/agents…`) path for path, plus Conduit's AI providers, traces, chat and health endpoints.",
    },
    // Relative, so the document is right behind any host or proxy.
    servers: [{ url: "/" }],
    security: [{ bearerAuth: [] }],
    tags,
    paths: apiPaths(),
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "A Conduit API key" },
      },
      schemas: componentSchemas(),
    },
  };
}

/** Conduit's OpenAPI 3.0 document. Built once per process (the schemas are static); treat it as read-only. */
export function openApiDocument(): Record<string, unknown> {
  document ??= buildDocument();
  return document;
}
