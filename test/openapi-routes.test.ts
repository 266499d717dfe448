/**
 * The OpenAPI document against the route files themselves: every HTTP method a route under
 * app/api exports must be documented, and nothing documented may lack its route. Reads the
 * source (TypeScript's parser) rather than importing the routes, so it needs no server.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/lib/openapi/document";

const API_ROOT = path.resolve(__dirname, "../app/api");
const HTTP_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

/**
 * The URL a route file serves, in OpenAPI form, or null for (optional) catch-all routes: they
 * answer unknown paths. Route groups (`(admin)`) are not part of the URL; `[param]` is `{param}`.
 */
function urlOf(routeFile: string, apiRoot = API_ROOT): string | null {
  const segments = path.relative(apiRoot, path.dirname(routeFile)).split(path.sep).filter(Boolean);
  if (segments.some((segment) => /^\[{1,2}\.\.\./.test(segment))) return null;
  const parts = segments
    .filter((segment) => !(segment.startsWith("(") && segment.endsWith(")")))
    .map((segment) => segment.replace(/^\[(.+)\]$/, "{$1}"));
  return ["/api", ...parts].join("/");
}

/**
 * The object literal given to a surface's `methods({ GET: …, POST: … })`: its keys are the
 * methods the route serves (the surface fills the rest with 405s, and HEAD/OPTIONS itself).
 */
function servedByMethodsCall(initializer: ts.Expression | undefined): string[] | null {
  if (!initializer || !ts.isCallExpression(initializer)) return null;
  const callee = initializer.expression;
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== "methods") return null;
  const [handlers] = initializer.arguments;
  if (!handlers || !ts.isObjectLiteralExpression(handlers)) return null;
  return handlers.properties.flatMap((property) => (property.name && ts.isIdentifier(property.name) ? [property.name.text] : []));
}

/** The HTTP methods a module serves, in every form an export can take. */
function exportedMethods(source: string): string[] {
  const file = ts.createSourceFile("route.ts", source, ts.ScriptTarget.Latest);
  const names: string[] = [];
  const isExported = (node: ts.Node) =>
    ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
  const bindingNames = (name: ts.BindingName): string[] =>
    ts.isIdentifier(name)
      ? [name.text]
      : name.elements.flatMap((element) => (ts.isOmittedExpression(element) ? [] : bindingNames(element.name)));
  for (const statement of file.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name && isExported(statement)) names.push(statement.name.text);
    if (ts.isVariableStatement(statement) && isExported(statement)) {
      names.push(
        ...statement.declarationList.declarations.flatMap(
          (declaration) => servedByMethodsCall(declaration.initializer) ?? bindingNames(declaration.name),
        ),
      );
    }
    // `export { handler as GET }` and `export { GET } from "…"`.
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      names.push(...statement.exportClause.elements.map((element) => element.name.text));
    }
  }
  return names.filter((name) => HTTP_METHODS.has(name));
}

interface ServedOperation {
  operation: string;
  file: string;
}

function servedOperations(): ServedOperation[] {
  return routeFiles(API_ROOT).flatMap((file) => {
    const url = urlOf(file);
    if (url === null) return [];
    return exportedMethods(readFileSync(file, "utf8")).map((method) => ({
      operation: `${method} ${url}`,
      file: path.relative(process.cwd(), file),
    }));
  });
}

function documentedOperations(): string[] {
  const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
  return Object.entries(paths).flatMap(([url, item]) =>
    Object.keys(item)
      .filter((key) => HTTP_METHODS.has(key.toUpperCase()))
      .map((method) => `${method.toUpperCase()} ${url}`),
  );
}

describe("route files and the OpenAPI document", () => {
  it("derives URLs from flat and route-group layouts alike", () => {
    const root = "/srv/app/api";
    expect(urlOf("/srv/app/api/v1/agents/[agent_id]/route.ts", root)).toBe("/api/v1/agents/{agent_id}");
    expect(urlOf("/srv/app/api/(soat)/v1/agents/[agent_id]/route.ts", root)).toBe("/api/v1/agents/{agent_id}");
    expect(urlOf("/srv/app/api/(admin)/(keys)/api-keys/route.ts", root)).toBe("/api/api-keys");
    expect(urlOf("/srv/app/api/openapi.json/route.ts", root)).toBe("/api/openapi.json");
    expect(urlOf("/srv/app/api/[...path]/route.ts", root)).toBeNull();
    expect(urlOf("/srv/app/api/(x)/[[...slug]]/route.ts", root)).toBeNull();
  });

  it("reads exported methods in every export form", () => {
    const source = `
      import { apiRoute } from "@/lib/http";
      const notFound = apiRoute(async () => new Response());
      export const GET = apiRoute(async () => new Response());
      export async function POST() { return new Response(); }
      export const { PUT, PATCH } = routes;
      export { notFound as DELETE };
      export { OPTIONS } from "./shared";
      export const dynamic = "force-dynamic";
      const HEAD = notFound;
    `;
    expect(exportedMethods(source).sort()).toEqual(["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"]);
  });

  it("reads the methods a surface's methods() call serves, not the 405s it fills in", () => {
    const source = `
      export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods<{ id: string }>({
        GET: agentsApi.route({}, async () => ({})),
        DELETE: agentsApi.route({}, async () => new Response(null, { status: 204 })),
      });
    `;
    expect(exportedMethods(source).sort()).toEqual(["DELETE", "GET"]);
  });

  it("finds the routes it checks", () => {
    const served = servedOperations().map(({ operation }) => operation);
    expect(served).toContain("GET /api/openapi.json");
    expect(served).toContain("DELETE /api/v1/agents/{agent_id}");
    expect(served.length).toBeGreaterThanOrEqual(51);
  });

  it("documents every operation a route exports", () => {
    const documented = new Set(documentedOperations());
    const undocumented = servedOperations().filter(({ operation }) => !documented.has(operation));
    expect(undocumented.map(({ operation, file }) => `${operation} (${file})`)).toEqual([]);
  });

  it("documents no operation that no route serves", () => {
    const served = new Set(servedOperations().map(({ operation }) => operation));
    expect(documentedOperations().filter((operation) => !served.has(operation))).toEqual([]);
  });
});
