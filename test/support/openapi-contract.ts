/**
 * Checks real responses against Conduit's OpenAPI document, so the suites that exercise an
 * operation also prove its documentation: the status must be documented for the operation, and
 * a JSON (or plain-text) body must parse with the zod schema the document was generated from.
 * Response schemas are strict objects, so an undocumented field fails too.
 */
import { expect } from "vitest";
import { z } from "zod";
import { openApiDocument } from "@/lib/openapi/document";
import * as responses from "@/lib/contracts";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const REF_PREFIX = "#/components/schemas/";

/** The documented path a concrete one matches; where several do, the one with more literal segments. */
function templateOf(pathname: string): string | undefined {
  const segments = pathname.split("/");
  const candidates = Object.keys(openApiDocument().paths as Json).filter((template) => {
    const parts = template.split("/");
    return parts.length === segments.length && parts.every((part, i) => part.startsWith("{") || part === segments[i]);
  });
  const literals = (template: string) => template.split("/").filter((part) => !part.startsWith("{")).length;
  return candidates.sort((a, b) => literals(b) - literals(a))[0];
}

/** The zod schema behind a documented media type's schema: a component, or an array of one. */
function zodFor(schema: unknown): z.ZodType | undefined {
  if (!isObject(schema)) return undefined;
  if (typeof schema.$ref === "string" && schema.$ref.startsWith(REF_PREFIX)) {
    const name = schema.$ref.slice(REF_PREFIX.length);
    return Object.entries(responses).find(([exported]) => exported === name)?.[1];
  }
  if (schema.type === "array") {
    const items = zodFor(schema.items);
    return items && z.array(items);
  }
  return undefined;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; ");
}

/**
 * What is wrong with one response by the document; empty when it fits. Paths the document does
 * not know (unknown URLs answered by the catch-all) and methods it does not list are not checked.
 */
export function contractProblems(method: string, url: string, status: number, contentType: string, text: string): string[] {
  const pathname = new URL(url, "http://conduit.invalid").pathname;
  const template = templateOf(pathname);
  if (!template) return [];
  const operation = ((openApiDocument().paths as Json)[template] as Json)[method.toLowerCase()];
  if (!isObject(operation)) return [];
  const where = `${method.toUpperCase()} ${template} → ${status}`;
  const response = (operation.responses as Json)[String(status)];
  if (!isObject(response)) return [`${where}: status not documented`];

  const content = isObject(response.content) ? response.content : {};
  const media = contentType.split(";")[0]!.trim();
  if (Object.keys(content).length === 0) return text === "" ? [] : [`${where}: documented without a body, got ${media}`];
  const documented = content[media];
  if (!isObject(documented)) return [`${where}: ${media || "no content type"} not documented (${Object.keys(content).join(", ")})`];
  // Streams are documented in prose, line by line.
  if (media !== "application/json" && media !== "text/plain") return [];
  const schema = zodFor(documented.schema);
  // Only this document's own description is typed as a plain object.
  if (!schema) return template === "/api/openapi.json" ? [] : [`${where}: no zod schema behind ${JSON.stringify(documented.schema)}`];
  const result = schema.safeParse(media === "application/json" ? JSON.parse(text) : text);
  return result.success ? [] : [`${where}: ${describeIssues(result.error)}`];
}

/** Fails the running test unless the response is one the document describes. */
export function expectDocumented(method: string, url: string, response: Response, text: string): void {
  expect(contractProblems(method, url, response.status, response.headers.get("content-type") ?? "", text)).toEqual([]);
}
