/**
 * What each kind of step does. A step gets the run's data (for its templates) and answers what
 * comes next; it throws a StepFailure to fail, retryable or not.
 */
import type { z } from "zod";
import { config } from "@/lib/config";
import type { AgentStep, AutomationStep, ConditionStep, DelayStep, HttpStep } from "@/lib/contracts/automation-steps";
import type { Organisation } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { startGeneration } from "@/lib/generations";
import { RequestTiming } from "@/lib/http/timing";
import type { ResolvedKey } from "@/lib/keys";
import { createGuardedFetch, createOutboundGuard } from "@/lib/net";
import { maskHeaders, openHeaders } from "@/lib/tools/header-secrets";
import { asText, renderJson, renderText, resolveField, type TemplateScope } from "./templates";

/** A step that failed: `permanent` ones are not retried (retrying cannot help); `output` is kept for the run history. */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly options: { permanent?: boolean; output?: unknown; input?: unknown; warnings?: string[]; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "StepFailure";
  }
}

/** What a finished step leads to. */
export type StepOutcome =
  | { next: "continue" }
  | { next: "jump"; to: string }
  | { next: "stop" }
  | { next: "delay"; until: Date }
  /** An agent step's run paused on a gated tool call: the run waits for the reviewers. */
  | { next: "review"; generationId: string };

export interface StepResult {
  input: unknown;
  output: unknown;
  warnings: string[];
  outcome: StepOutcome;
}

/** Who pays for agent steps: the automation's key (its budget within the plan), or the organisation's plan alone. */
export type StepPayer = { key: ResolvedKey } | { key: null; org: Organisation };

// --- agent -----------------------------------------------------------------------------------

async function runAgent(step: z.output<typeof AgentStep>, scope: TemplateScope, payer: StepPayer): Promise<StepResult> {
  const prompt = renderText(step.prompt, scope);
  const input = { agent_id: step.agent_id, prompt: prompt.value };
  let outcome;
  try {
    outcome = await startGeneration(
      { door: "automation", agentRef: step.agent_id, messages: [{ role: "user", content: prompt.value }] },
      { ...payer, timing: new RequestTiming(performance.now()), signal: new AbortController().signal },
    );
  } catch (error) {
    // Refusals (plan limits, a missing provider key, a deleted agent) will refuse again: not retried.
    if (error instanceof ApiError) {
      throw new StepFailure(`${error.code}: ${error.message}`, { permanent: error.status < 500, input, warnings: prompt.warnings });
    }
    throw error;
  }
  const output = agentOutput(outcome);
  if (outcome.status === "requires_action") {
    if (!outcome.toolCalls.some((call) => call.approvalId)) {
      throw new StepFailure("The agent asked for client tool outputs, which an automation cannot give", {
        permanent: true,
        input,
        output,
        warnings: prompt.warnings,
      });
    }
    return { input, output, warnings: prompt.warnings, outcome: { next: "review", generationId: outcome.rowId } };
  }
  return { input, output, warnings: prompt.warnings, outcome: { next: "continue" } };
}

/** What later steps read as `steps.<id>.output`. */
export function agentOutput(outcome: {
  id: string;
  text: string | null;
  model: string | null;
  usage: { inputTokens: number; outputTokens: number };
}): Record<string, unknown> {
  return {
    text: outcome.text ?? "",
    generation_id: outcome.id,
    model: outcome.model,
    usage: { input_tokens: outcome.usage.inputTokens, output_tokens: outcome.usage.outputTokens },
  };
}

// --- http ------------------------------------------------------------------------------------

class HttpStepError extends Error {}

/** Step URLs are user-supplied, like tool URLs: the same address guard, timeouts and size caps. */
const guard = createOutboundGuard(HttpStepError);

function renderHeaders(headers: Record<string, string> | undefined, scope: TemplateScope) {
  const warnings: string[] = [];
  const rendered: Record<string, string> = {};
  for (const [name, template] of Object.entries(headers ?? {})) {
    const value = renderText(template, scope);
    warnings.push(...value.warnings.map((warning) => `header ${name}: ${warning}`));
    // A rendered line break would end the header: such values are refused by fetch anyway.
    rendered[name] = value.value.replace(/[\r\n]+/g, " ");
  }
  return { value: rendered, warnings };
}

async function runHttp(step: z.output<typeof HttpStep>, scope: TemplateScope): Promise<StepResult> {
  const env = config();
  const url = renderText(step.url, scope);
  const headers = renderHeaders(openHeaders(step.headers), scope);
  const sendsBody = step.method !== "GET" && step.body !== undefined;
  const body = sendsBody ? renderJson(step.body, scope) : { value: undefined, warnings: [] };
  const warnings = [...url.warnings, ...headers.warnings, ...body.warnings];
  // Header values may be credentials: the run history names them only.
  const input = { method: step.method, url: url.value, headers: maskHeaders(headers.value), ...(sendsBody ? { body: body.value } : {}) };

  let target: URL;
  try {
    target = new URL(url.value);
  } catch {
    throw new StepFailure(`"${url.value}" is not a URL`, { permanent: true, input, warnings });
  }
  try {
    await guard.assertAllowedUrl(target);
  } catch (error) {
    // A refused or unresolvable address stays so: retrying cannot help.
    throw new StepFailure(error instanceof Error ? error.message : String(error), { permanent: true, input, warnings });
  }
  const fetchGuarded = createGuardedFetch(guard, {
    maxResponseBytes: env.AUTOMATION_HTTP_MAX_RESPONSE_BYTES,
    onOversized: () => undefined,
  });
  const signal = AbortSignal.timeout(env.AUTOMATION_HTTP_TIMEOUT_MS);
  let status: number;
  let text: string;
  try {
    const response = await fetchGuarded(target, {
      method: step.method,
      headers: { ...(sendsBody ? { "content-type": "application/json" } : {}), ...headers.value },
      body: sendsBody ? JSON.stringify(body.value) : undefined,
      signal,
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    const reason = signal.aborted
      ? `No response within ${env.AUTOMATION_HTTP_TIMEOUT_MS} ms`
      : error instanceof Error
        ? error.message
        : String(error);
    throw new StepFailure(`${step.method} ${target.origin}${target.pathname}: ${reason}`, { input, warnings, cause: error });
  }
  const output = { status, body: parseMaybeJson(text) };
  if (status < 200 || status > 299) {
    throw new StepFailure(`${step.method} ${target.origin}${target.pathname} answered ${status}`, { input, output, warnings });
  }
  return { input, output, warnings, outcome: { next: "continue" } };
}

function parseMaybeJson(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// --- condition -------------------------------------------------------------------------------

function compare(operator: z.output<typeof ConditionStep>["operator"], actual: unknown, expected: string): boolean {
  const text = asText(actual);
  switch (operator) {
    case "exists":
      return actual !== undefined && actual !== null && text !== "";
    case "equals":
      return text === expected;
    case "not_equals":
      return text !== expected;
    case "contains":
      return text.includes(expected);
    case "gt":
    case "lt": {
      const [a, b] = [Number(text), Number(expected)];
      if (text.trim() === "" || expected.trim() === "" || !Number.isFinite(a) || !Number.isFinite(b)) return false;
      return operator === "gt" ? a > b : a < b;
    }
  }
}

function runCondition(step: z.output<typeof ConditionStep>, scope: TemplateScope): StepResult {
  const field = resolveField(step.field, scope);
  const value = step.value === undefined ? { value: "", warnings: [] } : renderText(step.value, scope);
  // For `exists` a missing field is the answer, not a problem.
  const warnings = [...(step.operator === "exists" ? [] : field.warnings), ...value.warnings];
  const result = compare(step.operator, field.value, value.value);
  const input = { field: step.field, operator: step.operator, ...(step.operator === "exists" ? {} : { value: value.value }) };
  const next = result ? "continue" : (step.else_step ?? "end");
  const output = { result, field_value: field.value ?? null, next };
  if (result) return { input, output, warnings, outcome: { next: "continue" } };
  return { input, output, warnings, outcome: step.else_step ? { next: "jump", to: step.else_step } : { next: "stop" } };
}

// --- delay -----------------------------------------------------------------------------------

function runDelay(step: z.output<typeof DelayStep>): StepResult {
  const until = new Date(Date.now() + step.seconds * 1000);
  return { input: { seconds: step.seconds }, output: { resume_at: until.toISOString() }, warnings: [], outcome: { next: "delay", until } };
}

export async function runStep(step: AutomationStep, scope: TemplateScope, payer: () => Promise<StepPayer>): Promise<StepResult> {
  switch (step.type) {
    case "agent":
      return runAgent(step, scope, await payer());
    case "http":
      return runHttp(step, scope);
    case "condition":
      return runCondition(step, scope);
    case "delay":
      return runDelay(step);
  }
}
