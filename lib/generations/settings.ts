import { hasToolCall, stepCountIs, type PrepareStepFunction, type StopCondition, type ToolSet } from "ai";
import type { Agent } from "@/lib/db";
import type { BuiltTools } from "./tools";

const DEFAULT_MAX_STEPS = 10;

/** When a run stops: the agent's step budget (counted over the whole generation) and its stop conditions. */
export function toStopConditions(agent: Agent, stepsUsed: number): Array<StopCondition<ToolSet>> {
  const remaining = Math.max(1, (agent.maxSteps ?? DEFAULT_MAX_STEPS) - stepsUsed);
  const conditions: Array<StopCondition<ToolSet>> = [stepCountIs(remaining)];
  for (const condition of agent.stopConditions ?? []) {
    const type = String(condition.type ?? "");
    if (["step_count", "stepCountIs"].includes(type)) {
      const count = Number(condition.count ?? condition.value);
      if (Number.isInteger(count) && count > 0) conditions.push(stepCountIs(Math.max(1, count - stepsUsed)));
    } else if (["has_tool_call", "hasToolCall"].includes(type)) {
      const name = condition.tool_name ?? condition.toolName ?? condition.value;
      if (typeof name === "string") conditions.push(hasToolCall(name));
    }
  }
  return conditions;
}

export type ToolChoiceSetting = "auto" | "none" | "required" | { type: "tool"; toolName: string };

export function toToolChoice(choice: Record<string, unknown> | null | undefined): ToolChoiceSetting | undefined {
  if (!choice) return undefined;
  const type = choice.type;
  if (type === "auto" || type === "none" || type === "required") return type;
  const toolName = choice.tool_name ?? choice.toolName;
  if (type === "tool" && typeof toolName === "string") return { type: "tool", toolName };
  return undefined;
}

/** `*` matches any run of characters, so `agents:*` covers every agents action. */
function matchesPattern(pattern: string, name: string): boolean {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`).test(name);
}

/**
 * The agent's boundary policy decides which SOAT actions its tools may offer: an action must
 * match `allow` (when given) and must not match `deny`; deny wins.
 */
export function boundaryAllows(policy: Record<string, unknown> | null, action: string): boolean {
  if (!policy) return true;
  const patterns = (value: unknown) => (Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : null);
  const allow = patterns(policy.allow);
  const deny = patterns(policy.deny) ?? [];
  if (deny.some((pattern) => matchesPattern(pattern, action))) return false;
  return allow === null || allow.some((pattern) => matchesPattern(pattern, action));
}

interface StepRule {
  step?: number;
  from_step?: number;
  to_step?: number;
  active_tool_ids?: string[];
  tool_choice?: Record<string, unknown>;
}

function ruleApplies(rule: StepRule, step: number): boolean {
  if (rule.step !== undefined) return rule.step === step;
  return (rule.from_step ?? 1) <= step && step <= (rule.to_step ?? Number.POSITIVE_INFINITY);
}

/**
 * Per-step overrides from the agent's `step_rules`: for the model call numbered `step` (1-based,
 * counted over the whole generation, so a resumed run continues the count), matching rules set
 * which tools are active and the tool choice; later rules override earlier ones.
 */
export function stepRulesPreparer(
  rules: Array<Record<string, unknown>> | null,
  tools: BuiltTools,
  stepsUsed: number,
): PrepareStepFunction<ToolSet> | undefined {
  if (!rules || rules.length === 0) return undefined;
  const typed = rules as StepRule[];
  return ({ stepNumber }) => {
    const step = stepsUsed + stepNumber + 1;
    let activeTools: string[] | undefined;
    let toolChoice: ToolChoiceSetting | undefined;
    for (const rule of typed.filter((candidate) => ruleApplies(candidate, step))) {
      if (rule.active_tool_ids) activeTools = tools.namesOf(rule.active_tool_ids);
      toolChoice = toToolChoice(rule.tool_choice) ?? toolChoice;
    }
    return activeTools === undefined && toolChoice === undefined ? undefined : { activeTools, toolChoice };
  };
}
