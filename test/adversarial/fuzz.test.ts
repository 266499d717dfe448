/**
 * No input makes Conduit answer 5xx. Every operation of the OpenAPI document (which documents
 * every route) is called with valid credentials for its surface and, per operation, mutated path
 * parameters, query strings and bodies: NUL bytes, malformed percent-encoding, unpaired
 * surrogates, deep nesting, integers beyond any column, wrong types, empty updates, oversized
 * strings. Every answer must be below 500, and every error must carry an X-Request-Id and be in
 * its surface's envelope. Deterministic: the mutations are derived from a fixed seed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { createGateAgent } from "@/lib/gate/agents";
import { createGateTool } from "@/lib/gate/tools";
import { createApiKey } from "@/lib/keys";
import { startWorld, type World } from "../support/app";
import { createMember, createTenant } from "../support/fixtures";

let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme");
  const alice = await createMember(db, acme.org.id, "alice@acme.test");
  const taskKey = await createApiKey(db, { orgId: acme.org.id, name: "task key", createdByUserId: alice.userId });
  const gate = await createGateAgent(db, acme.org.id, { name: "Support bot" });
  const gateTool = await createGateTool(db, acme.org.id, { name: "issue_refund", default_action: "review", rules: [] });
  return { acme, alice, taskKey, gateKey: gate.key, gateAgentId: gate.agent.id, gateToolId: gateTool.id };
}

beforeAll(async () => {
  world = await startWorld({
    seed,
    env: { RATE_LIMIT_PER_KEY_PER_MINUTE: "1000000", RATE_LIMIT_FAILED_AUTH_PER_MINUTE: "1000000", WORKER_CONCURRENCY: "1" },
  });
});

afterAll(async () => {
  await world?.close();
});

/** A small deterministic generator (mulberry32), so every run sends the same requests. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = Record<string, unknown>;
type Envelope = "conduit" | "agents-api" | "sois" | "plain-text" | "approval-validation" | "json-rpc" | "openai";

interface Operation {
  method: string;
  template: string;
  security: Array<Record<string, unknown>>;
  queryNames: string[];
  bodySchema: Json | null;
}

interface Attempt {
  what: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Which envelope a path's errors use, by the surfaces' prefixes (longest wins). */
function envelopeOf(pathname: string): Envelope {
  const prefixes: Array<[string, Envelope]> = [
    ["/api/agent/tasks", "plain-text"],
    ["/api/agent/decisions", "plain-text"],
    ["/api/agent/approvals", "plain-text"],
    ["/api/agent/approvals/validate", "approval-validation"],
    ["/api/v1/agents", "agents-api"],
    ["/api/v1/ai-providers", "agents-api"],
    ["/api/v1/documents", "agents-api"],
    ["/api/v1/memories", "agents-api"],
    ["/api/api-keys", "sois"],
    ["/api/gate", "sois"],
    ["/api/organisation", "sois"],
    ["/api/agent", "sois"],
    ["/api/v1", "conduit"],
    ["/api/mcp", "json-rpc"],
    ["/api/a2a", "json-rpc"],
    ["/api/openai", "openai"],
  ];
  const owner = prefixes
    .filter(([prefix]) => pathname === prefix || pathname.startsWith(`${prefix}/`))
    .sort((a, b) => b[0].length - a[0].length)[0];
  return owner?.[1] ?? "conduit";
}

function resolveRef(document: Json, schema: unknown): Json | null {
  if (typeof schema !== "object" || schema === null) return null;
  const ref = (schema as Json).$ref;
  if (typeof ref !== "string") return schema as Json;
  const name = ref.replace("#/components/schemas/", "");
  return ((document.components as Json).schemas as Json)[name] as Json;
}

function operationsOf(document: Json): Operation[] {
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(document.paths as Record<string, Json>)) {
    for (const [method, spec] of Object.entries(item as Record<string, Json>)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      const parameters = (spec.parameters ?? []) as Json[];
      const content = ((spec.requestBody as Json | undefined)?.content as Json | undefined)?.["application/json"] as Json | undefined;
      operations.push({
        method: method.toUpperCase(),
        template,
        security: (spec.security ?? document.security ?? [{ bearerAuth: [] }]) as Array<Record<string, unknown>>,
        queryNames: parameters.filter((parameter) => parameter.in === "query").map((parameter) => String(parameter.name)),
        bodySchema: content ? resolveRef(document, content.schema) : null,
      });
    }
  }
  return operations;
}

/** The headers of a caller this operation accepts. */
function credentials(operation: Operation): Record<string, string> {
  const { acme, alice, taskKey, gateKey } = world.seeded;
  const schemes = new Set(operation.security.flatMap((requirement) => Object.keys(requirement)));
  if (schemes.has("gateKey")) return { Authorization: `Bearer ${gateKey}` };
  if (schemes.has("taskApiKey")) return { Authorization: `Bearer ${alice.token}`, "X-Api-Key": taskKey.secret };
  if (schemes.has("accessToken")) return { Authorization: `Bearer ${alice.token}` };
  if (schemes.has("bearerAuth")) return { Authorization: `Bearer ${acme.key}` };
  return {};
}

/** Path parameters that name real records where the fixtures have one, so mutations reach deep code. */
function realParam(template: string, name: string): string {
  const { acme, gateAgentId, gateToolId, taskKey } = world.seeded;
  if (["agentId", "agent_id", "employee_id"].includes(name)) return acme.agent.publicId;
  if (name === "id" && template.startsWith("/api/gate/agents")) return gateAgentId;
  if (name === "id" && template.startsWith("/api/gate/tools")) return gateToolId;
  if (name === "id" && template.startsWith("/api/api-keys")) return taskKey.record.publicId;
  if (name === "taskID") return "task-fuzz-1";
  return "00000000-0000-4000-8000-000000000000";
}

/** A plausible value for a JSON schema, good enough to get past the first checks. */
function sample(document: Json, schema: Json | null, depth = 0): unknown {
  const resolved = resolveRef(document, schema);
  if (!resolved || depth > 4) return "x";
  if (Array.isArray(resolved.enum)) return resolved.enum[0];
  const variants = (resolved.anyOf ?? resolved.oneOf) as Json[] | undefined;
  if (variants?.length) return sample(document, variants.find((variant) => variant.type !== "null") ?? variants[0]!, depth + 1);
  const type = Array.isArray(resolved.type) ? resolved.type.find((t) => t !== "null") : resolved.type;
  switch (type) {
    case "object": {
      const properties = (resolved.properties ?? {}) as Record<string, Json>;
      return Object.fromEntries(Object.entries(properties).map(([key, property]) => [key, sample(document, property, depth + 1)]));
    }
    case "array":
      return [sample(document, resolved.items as Json, depth + 1)];
    case "integer":
      return 1;
    case "number":
      return 1;
    case "boolean":
      return true;
    default:
      return resolved.format === "uri" ? "https://example.com/hook" : "sample";
  }
}

const NUL = "\u0000";
const LONE_SURROGATE = "\ud800";
const HUGE_INTEGERS = [2_147_483_648, 9_007_199_254_740_993, 1e20, -2_147_483_649];
const WRONG_TYPES: unknown[] = [null, true, [], {}, "12", -1, 1.5];
const DEEP = 5_000;

/** Every mutation of one operation, drawn deterministically from `random`. */
function attemptsFor(document: Json, operation: Operation, random: () => number): Attempt[] {
  const attempts: Attempt[] = [];
  const headers = credentials(operation);
  const paramNames = [...operation.template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
  const pathWith = (replace: Record<string, string>) =>
    operation.template.replace(
      /\{([^}]+)\}/g,
      (_, name: string) => replace[name] ?? encodeURIComponent(realParam(operation.template, name)),
    );
  const realPath = pathWith({});
  const withBody = ["POST", "PUT", "PATCH"].includes(operation.method);
  const add = (what: string, path: string, body?: string) =>
    attempts.push({
      what,
      method: operation.method,
      path,
      headers: { ...headers, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      body,
    });
  const validBody = withBody ? JSON.stringify(operation.bodySchema ? sample(document, operation.bodySchema) : {}) : undefined;

  for (const name of paramNames) {
    for (const [what, raw] of [
      ["NUL", "a%00b"],
      ["bad %", "%zz"],
      ["truncated %", "%E0%A4%A"],
      ["overlong UTF-8", "%C0%80"],
      ["encoded surrogate", "%ED%A0%80"],
      ["oversized", "x".repeat(4_000)],
      ["dots", ".."],
    ] as const) {
      add(`path ${name}: ${what}`, pathWith({ [name]: raw }), validBody);
    }
  }
  const queryNames = operation.queryNames.length > 0 ? operation.queryNames : ["unexpected"];
  for (const name of queryNames) {
    for (const [what, raw] of [
      ["NUL", "%00"],
      ["bad %", "%zz"],
      ["encoded surrogate", "%ED%A0%80"],
      ["huge integer", "99999999999999999999"],
      ["negative", "-1"],
      ["repeated", `1&${name}=2`],
      ["oversized", "y".repeat(6_000)],
    ] as const) {
      add(`query ${name}: ${what}`, `${realPath}?${name}=${raw}`, validBody);
    }
  }
  if (!withBody) return attempts;

  const base = (JSON.parse(validBody!) ?? {}) as Json;
  const fields = typeof base === "object" && !Array.isArray(base) ? Object.keys(base) : [];
  add("body: valid sample", realPath, validBody);
  add("body: empty object", realPath, "{}");
  add("body: not JSON", realPath, "{not json");
  add("body: empty", realPath, "");
  add("body: array", realPath, "[]");
  add("body: string", realPath, '"text"');
  add("body: NUL key", realPath, JSON.stringify({ ...base, [`k${NUL}`]: 1 }));
  add("body: surrogate key", realPath, JSON.stringify({ ...base, [`k${LONE_SURROGATE}`]: 1 }));
  add("body: deep array", realPath, "[".repeat(DEEP) + "]".repeat(DEEP));
  add("body: deep object", realPath, '{"a":'.repeat(DEEP) + "1" + "}".repeat(DEEP));
  add("body: 1e400", realPath, JSON.stringify(base).replace(/^\{/, '{"n":1e400,'));
  for (const field of fields) {
    const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
    const set = (value: unknown) => JSON.stringify({ ...base, [field]: value });
    add(`${field}: NUL`, realPath, set(`a${NUL}b`));
    add(`${field}: lone surrogate`, realPath, set(`a${LONE_SURROGATE}b`));
    add(`${field}: NUL deep inside`, realPath, set({ nested: [{ text: `x${NUL}` }] }));
    add(`${field}: huge integer`, realPath, set(pick(HUGE_INTEGERS)));
    add(`${field}: wrong type`, realPath, set(pick(WRONG_TYPES)));
    add(`${field}: wrong type`, realPath, set(pick(WRONG_TYPES)));
    add(`${field}: oversized string`, realPath, set("z".repeat(30_000 + Math.floor(random() * 10_000))));
    add(`${field}: deep value`, realPath, set(JSON.parse("[".repeat(60) + "]".repeat(60))));
    add(`${field}: only this field`, realPath, JSON.stringify({ [field]: base[field] }));
  }
  return attempts;
}

interface Outcome {
  attempt: Attempt;
  status: number;
  problem: string | null;
}

async function send(attempt: Attempt): Promise<Outcome> {
  const response = await fetch(`${world.app.url}${attempt.path}`, {
    method: attempt.method,
    headers: attempt.headers,
    body: attempt.body,
  });
  const text = await response.text();
  return { attempt, status: response.status, problem: problemWith(attempt, response, text) };
}

/** What is wrong with one answer, or null: a 5xx, or an error without a request id or outside its envelope. */
function problemWith(attempt: Attempt, response: Response, text: string): string | null {
  if (response.status >= 500) return `${response.status}: ${text.slice(0, 200)}`;
  if (response.status < 400) return null;
  if (!/^[0-9a-f-]{36}$/.test(response.headers.get("x-request-id") ?? "")) return `${response.status} without X-Request-Id`;
  const pathname = new URL(attempt.path, "http://conduit.invalid").pathname;
  const envelope = envelopeOf(decodeURIComponentSafely(pathname));
  const contentType = response.headers.get("content-type") ?? "";
  if (envelope === "plain-text")
    return contentType.startsWith("text/plain") && text.length > 0 ? null : `${response.status} not plain text`;
  // Refused tokens and input are JSON `{valid: false, reason}`; errors of the key are the gate's plain text.
  if (envelope === "approval-validation") {
    if (contentType.startsWith("text/plain")) return text.length > 0 ? null : `${response.status} empty plain text`;
    const refusal = contentType.startsWith("application/json") ? (JSON.parse(text) as Json) : {};
    return refusal.valid === false && typeof refusal.reason === "string"
      ? null
      : `${response.status} neither plain text nor { valid: false, reason }`;
  }
  if (!contentType.startsWith("application/json")) return `${response.status} answered ${contentType || "without a content type"}`;
  const body = JSON.parse(text) as Json;
  const error = body.error;
  if (envelope === "agents-api") return typeof error === "string" && error.length > 0 ? null : `${response.status} outside { error }`;
  // A JSON-RPC error object: a numeric code and a message (Conduit's refusals add its own code in
  // `data`; the MCP transport's own, such as 406 for a client that cannot read event streams, do not).
  if (envelope === "json-rpc") {
    const rpcError = (error ?? {}) as Json;
    return body.jsonrpc === "2.0" && typeof rpcError.code === "number" && typeof rpcError.message === "string"
      ? null
      : `${response.status} outside { jsonrpc, error: { code, message } }`;
  }
  // OpenAI's: a message and a type always, a code and the field (param) where they apply.
  if (envelope === "openai") {
    const openAiError = (error ?? {}) as Json;
    return typeof openAiError.message === "string" &&
      typeof openAiError.type === "string" &&
      "code" in openAiError &&
      "param" in openAiError
      ? null
      : `${response.status} outside { error: { message, type, param, code } }`;
  }
  const shaped = typeof error === "object" && error !== null && typeof (error as Json).code === "string";
  return shaped ? null : `${response.status} outside { error: { code, message } }`;
}

function decodeURIComponentSafely(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

async function runAll(attempts: Attempt[], concurrency: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < attempts.length) outcomes.push(await send(attempts[next++]!));
    }),
  );
  return outcomes;
}

describe("fuzzing every operation", () => {
  it("never answers 5xx, and every error is in its surface's envelope with a request id", { timeout: 240_000 }, async () => {
    const document = (await (await fetch(`${world.app.url}/api/openapi.json`)).json()) as Json;
    const operations = operationsOf(document);
    expect(operations.length).toBeGreaterThanOrEqual(50);
    const random = seededRandom(20260912);
    // Operations that delete or disable the fixtures' records (or replace the gate key) run last,
    // so the records the other mutations aim at exist while those run.
    const destructive = (op: Operation) =>
      op.method === "DELETE" || op.template.endsWith("/regenerate-key") || (op.method === "PUT" && op.template === "/api/gate/agents/{id}");
    const ordered = [...operations.filter((op) => !destructive(op)), ...operations.filter(destructive)];
    const attempts = ordered.flatMap((operation) => attemptsFor(document, operation, random));

    const outcomes = await runAll(attempts, 6);
    const failures = outcomes
      .filter((outcome) => outcome.problem !== null)
      .map(({ attempt, problem }) => `${attempt.method} ${attempt.path.slice(0, 120)} [${attempt.what}] → ${problem}`);
    const serverErrors = outcomes.filter((outcome) => outcome.status >= 500).length;
    console.log(`[fuzz] ${outcomes.length} requests over ${operations.length} operations; ${serverErrors} answered 5xx`);
    expect(outcomes.length).toBeGreaterThan(1_000);
    expect(failures).toEqual([]);
  });
});
