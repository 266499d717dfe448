import { RE2JS, RE2JSException } from "re2js";
import { z } from "zod";
import { gateActions, gateRuleTypes } from "@/lib/contracts/gate-values";
import type { GateAction, GateRule } from "@/lib/db/schema";
import { ApiError } from "@/lib/errors";

export { gateActions, gateRuleTypes };

/** The fields of a gate rule row that decide whether it matches. */
export type RuleLike = Pick<GateRule, "type" | "parameter" | "value" | "min" | "max" | "pattern" | "action">;

/** Longest regex pattern accepted at save time (characters). */
export const MAX_PATTERN_LENGTH = 500;
/**
 * Largest compiled RE2 program accepted at save time. RE2 matches in time linear in the input, but the
 * constant grows with the program (a pattern like `(\w+\s?){1,1000}$` compiles to ~7,000 steps and takes
 * over a second on 10,000 characters); typical rules compile to under 100 steps.
 */
export const MAX_PROGRAM_SIZE = 1000;
/**
 * Longest string a regex rule inspects (UTF-16 units). Together with MAX_PROGRAM_SIZE this bounds one
 * rule's worst case to tens of milliseconds. A longer value is not matched on a prefix (padding would slip
 * past a `$`-anchored rule); it is resolved towards caution instead, see regexMatches.
 */
export const MAX_MATCH_LENGTH = 10_000;

const MAX_PARAMETER_LENGTH = 200;
const MAX_CONTAINS_LENGTH = 1000;

/** The stronger of two actions (allow < review < escalate < reject). */
export function strongest(a: GateAction, b: GateAction): GateAction {
  return gateActions.indexOf(a) >= gateActions.indexOf(b) ? a : b;
}

// --- Regexes: RE2 (re2js, pure JS) both validates at save time and matches, so no pattern can backtrack. ---

/** Compiled patterns, reused across requests (compiling costs milliseconds; the DFA cache warms up). */
const compiled = new Map<string, RE2JS>();
const MAX_COMPILED = 500;

function compilePattern(pattern: string): RE2JS {
  const cached = compiled.get(pattern);
  if (cached) return cached;
  const regex = RE2JS.compile(pattern);
  if (compiled.size >= MAX_COMPILED) {
    const oldest = compiled.keys().next();
    if (!oldest.done) compiled.delete(oldest.value);
  }
  compiled.set(pattern, regex);
  return regex;
}

/** Why a pattern cannot be saved, or null if it can. */
function patternProblem(pattern: string): string | null {
  if (pattern.length === 0) return "regex needs a non-empty pattern";
  // Checked before compiling so an oversized pattern costs nothing.
  if (pattern.length > MAX_PATTERN_LENGTH) return `regex pattern must be at most ${MAX_PATTERN_LENGTH} characters`;
  let regex: RE2JS;
  try {
    // Not through the cache: rejected patterns must not crowd out the ones in use.
    regex = RE2JS.compile(pattern);
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error;
    return `regex pattern is not valid RE2 syntax (${error.message}); lookarounds and backreferences are not supported`;
  }
  const size = regex.programSize();
  if (size > MAX_PROGRAM_SIZE) {
    return `regex pattern is too complex (compiles to ${size} steps, limit ${MAX_PROGRAM_SIZE}); use smaller repetition counts`;
  }
  return null;
}

// --- Validation ------------------------------------------------------------------------------------------

const parameter = z
  .string({ error: "parameter must be a string: a payload key, or a dot path like customer.tier" })
  .trim()
  .min(1, "parameter must not be empty")
  .max(MAX_PARAMETER_LENGTH, `parameter must be at most ${MAX_PARAMETER_LENGTH} characters`);
const action = z.enum(gateActions, { error: `action must be one of ${gateActions.join(", ")}` });
// z.number() refuses NaN and ±Infinity, so every saved threshold is finite.
const threshold = (message: string) => z.number({ error: message });

/** A rule as sent in an API body; extra or irrelevant fields are dropped, the output fits a gate_rules row. */
export const gateRuleInput = z
  .discriminatedUnion(
    "type",
    [
      z.object({ type: z.literal("upper_limit"), parameter, value: threshold("upper_limit needs a numeric value"), action }),
      z.object({ type: z.literal("lower_limit"), parameter, value: threshold("lower_limit needs a numeric value"), action }),
      z
        .object({
          type: z.literal("between"),
          parameter,
          min: threshold("between needs a numeric min"),
          max: threshold("between needs a numeric max"),
          action,
        })
        .refine((rule) => rule.min <= rule.max, { message: "between needs min <= max", path: ["max"] }),
      z.object({
        type: z.literal("contains"),
        parameter,
        value: z
          .string({ error: "contains needs a string value" })
          .min(1, "contains needs a non-empty value")
          .max(MAX_CONTAINS_LENGTH, `contains value must be at most ${MAX_CONTAINS_LENGTH} characters`),
        action,
      }),
      z.object({
        type: z.literal("regex"),
        parameter,
        pattern: z.string({ error: "regex needs a pattern string" }).superRefine((pattern, ctx) => {
          const problem = patternProblem(pattern);
          if (problem) ctx.addIssue({ code: "custom", message: problem });
        }),
        action,
      }),
    ],
    {
      // Typed as invalid_union only, but a non-object input arrives here as invalid_type.
      error: (issue) =>
        issue.code === "invalid_union" ? `type must be one of ${gateRuleTypes.join(", ")}` : "a rule must be a JSON object",
    },
  )
  .transform((rule): RuleLike => {
    const none = { value: null, min: null, max: null, pattern: null };
    switch (rule.type) {
      case "upper_limit":
      case "lower_limit":
      case "contains":
        return { ...none, type: rule.type, parameter: rule.parameter, value: rule.value, action: rule.action };
      case "between":
        return { ...none, type: rule.type, parameter: rule.parameter, min: rule.min, max: rule.max, action: rule.action };
      case "regex":
        return { ...none, type: rule.type, parameter: rule.parameter, pattern: rule.pattern, action: rule.action };
    }
  });

/** The normalised rule, or ApiError BAD_REQUEST naming every problem. */
export function validateRule(input: unknown): RuleLike {
  const result = gateRuleInput.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message));
  throw new ApiError("BAD_REQUEST", `Invalid gate rule: ${details.join("; ")}`, { details });
}

// --- Evaluation ------------------------------------------------------------------------------------------

/**
 * The value a rule's parameter names: the top-level key first (so keys containing dots still work), else a
 * dot path through nested objects and arrays (`customer.tier`, `items.0.price`, `recipients.length`). Own
 * properties only, so `constructor` or `__proto__` never reach the prototype.
 */
function lookup(payload: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(payload, path)) return payload[path];
  let current: unknown = payload;
  for (const key of path.split(".")) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

// Plain decimal only (no hex, no "Infinity", no "1,000"); written without nested quantifiers so it is linear.
const NUMERIC_STRING = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Numeric rules compare numbers and also numeric strings ("500"): agents often quote numbers in tool
 * arguments, and quoting must not slip a value past an upper_limit. Anything else does not match.
 */
function asNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isNaN(value) ? null : value;
  if (typeof value === "string" && NUMERIC_STRING.test(value.trim())) return Number(value);
  return null;
}

/** String rules see strings, and numbers as their decimal text, so changing the JSON type dodges nothing. */
function asText(value: unknown): string | null {
  if (typeof value === "string") return value;
  return typeof value === "number" ? String(value) : null;
}

function malformed(rule: RuleLike, what: string): Error {
  // Rows are validated when saved; skipping a broken safety rule silently would be worse than failing.
  return new Error(`Gate rule ${rule.type} on "${rule.parameter}" is malformed: ${what}`);
}

function numberField(rule: RuleLike, value: number | string | null, name: string): number {
  if (typeof value !== "number") throw malformed(rule, `${name} is not a number`);
  return value;
}

/**
 * A value too long to inspect is resolved towards caution: a review/escalate/reject rule fires (padding a
 * value cannot dodge it) and an allow rule does not (padding cannot buy an allow).
 */
function regexMatches(rule: RuleLike, text: string): boolean {
  if (rule.pattern === null) throw malformed(rule, "no pattern");
  if (text.length > MAX_MATCH_LENGTH) return rule.action !== "allow";
  return compilePattern(rule.pattern).test(text);
}

function ruleMatches(rule: RuleLike, payload: Record<string, unknown>): boolean {
  const raw = lookup(payload, rule.parameter);
  switch (rule.type) {
    case "upper_limit": {
      const n = asNumber(raw);
      return n !== null && n > numberField(rule, rule.value, "value");
    }
    case "lower_limit": {
      const n = asNumber(raw);
      return n !== null && n < numberField(rule, rule.value, "value");
    }
    case "between": {
      const n = asNumber(raw);
      return n !== null && n >= numberField(rule, rule.min, "min") && n <= numberField(rule, rule.max, "max");
    }
    case "contains": {
      if (typeof rule.value !== "string") throw malformed(rule, "value is not a string");
      const text = asText(raw);
      return text !== null && text.toLowerCase().includes(rule.value.toLowerCase());
    }
    case "regex": {
      const text = asText(raw);
      return text !== null && regexMatches(rule, text);
    }
  }
}

/**
 * Every rule is checked; the strongest action among those that match wins, and the tool's default applies
 * only when none match. `matched` lists the rules that fired, in the order given.
 */
export function evaluateRules<R extends RuleLike>(
  rules: readonly R[],
  defaultAction: GateAction,
  payload: Record<string, unknown> | null | undefined,
): { action: GateAction; matched: R[] } {
  const matched = rules.filter((rule) => ruleMatches(rule, payload ?? {}));
  const action = matched.length === 0 ? defaultAction : matched.map((rule) => rule.action).reduce(strongest);
  return { action, matched };
}
