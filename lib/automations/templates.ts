/**
 * Templates of automation steps: `{{trigger.body.customer.name}}`, `{{steps.answer.output.text}}`.
 * Only dotted paths and `[n]` indexes, looked up on the run's own data (own properties only, never
 * `__proto__`, `constructor` or `prototype`): no expression is ever evaluated. A missing field
 * renders empty and is reported as a warning; nothing in a template can fail a run.
 */

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

/** What templates can reach: the trigger's body and the finished steps' outputs. */
export interface TemplateScope {
  trigger: { body: unknown };
  steps: Record<string, { output: unknown }>;
}

export interface Rendered<T> {
  value: T;
  warnings: string[];
}

type Segment = string | number;

/** `a.b[2].c` as segments, or why it is not a path. */
function parsePath(path: string): Segment[] | string {
  const segments: Segment[] = [];
  for (const dotted of path.split(".")) {
    const match = /^([^[\]]*)((?:\[\d{1,6}\])*)$/.exec(dotted);
    if (!match) return `"${path}" is not a dotted path`;
    const [, name = "", indexes = ""] = match;
    if (!SEGMENT.test(name)) return `"${path}" is not a dotted path`;
    if (FORBIDDEN.has(name)) return `"${path}" names ${name}, which templates may not read`;
    segments.push(name, ...[...indexes.matchAll(/\[(\d+)\]/g)].map((index) => Number(index[1])));
  }
  return segments;
}

/** The value at a path, reading own properties of plain data only; undefined when anything on the way is missing. */
function lookup(scope: TemplateScope, segments: Segment[]): unknown {
  let current: unknown = scope;
  for (const segment of segments) {
    if (typeof segment === "number") {
      if (!Array.isArray(current) || segment >= current.length) return undefined;
      current = current[segment];
    } else {
      if (typeof current !== "object" || current === null || Array.isArray(current) || !Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}

/** A field's value for conditions: undefined (with a warning) when the path is refused or missing. */
export function resolveField(path: string, scope: TemplateScope): Rendered<unknown> {
  const segments = parsePath(path);
  if (typeof segments === "string") return { value: undefined, warnings: [segments] };
  const value = lookup(scope, segments);
  return { value, warnings: value === undefined ? [`${path} is missing`] : [] };
}

/** How a value reads inside text: strings as they are, other JSON as JSON. */
export function asText(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Renders every placeholder of a template. */
export function renderText(template: string, scope: TemplateScope): Rendered<string> {
  const warnings: string[] = [];
  const value = template.replace(PLACEHOLDER, (_whole, path: string) => {
    const field = resolveField(path, scope);
    warnings.push(...field.warnings);
    return asText(field.value);
  });
  return { value, warnings };
}

/**
 * Renders the strings of a JSON value (an http step's body): each stays a JSON string, so a
 * rendered quote or newline is escaped when the body is serialized, never breaking out of it.
 */
export function renderJson(value: unknown, scope: TemplateScope): Rendered<unknown> {
  const warnings: string[] = [];
  const walk = (node: unknown): unknown => {
    if (typeof node === "string") {
      const rendered = renderText(node, scope);
      warnings.push(...rendered.warnings);
      return rendered.value;
    }
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node === "object" && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item)]));
    }
    return node;
  };
  return { value: walk(value), warnings };
}
