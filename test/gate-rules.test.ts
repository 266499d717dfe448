import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/errors";
import {
  evaluateRules,
  gateActions,
  gateRuleInput,
  MAX_MATCH_LENGTH,
  MAX_PROGRAM_SIZE,
  strongest,
  validateRule,
  type RuleLike,
} from "@/lib/gate/rules";

/** A rule through the same validation the API uses, so tests only ever evaluate saveable rules. */
const rule = (input: Record<string, unknown>): RuleLike => validateRule(input);

/** True when the single rule matches the payload (the default action is one no rule here uses). */
function matches(r: RuleLike, payload: Record<string, unknown>): boolean {
  return evaluateRules([r], "escalate", payload).matched.length === 1;
}

function rejectsWith(input: unknown, message: RegExp): void {
  let caught: unknown;
  try {
    validateRule(input);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ApiError);
  const error = caught as ApiError;
  expect(error.code).toBe("BAD_REQUEST");
  expect(error.status).toBe(400);
  expect(error.message).toMatch(message);
}

/**
 * A backtracking engine takes seconds to centuries on these inputs; linear-time matching takes
 * milliseconds. The bound sits far from both, so a busy machine cannot fail a correct engine.
 */
const FAR_FROM_BACKTRACKING_MS = 2_000;

function timed<T>(run: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = run();
  return { result, ms: performance.now() - start };
}

describe("action priority", () => {
  it("orders allow < review < escalate < reject", () => {
    expect(gateActions).toEqual(["allow", "review", "escalate", "reject"]);
    expect(strongest("allow", "review")).toBe("review");
    expect(strongest("escalate", "review")).toBe("escalate");
    expect(strongest("reject", "escalate")).toBe("reject");
    expect(strongest("allow", "allow")).toBe("allow");
  });

  it("applies the strongest matching action, whatever the rule order", () => {
    const allow = rule({ type: "lower_limit", parameter: "amount", value: 1000, action: "allow" });
    const reject = rule({ type: "contains", parameter: "reason", value: "fraud", action: "reject" });
    const review = rule({ type: "upper_limit", parameter: "amount", value: 250, action: "review" });
    const escalate = rule({ type: "between", parameter: "amount", min: 500, max: 900, action: "escalate" });
    const payload = { amount: 600, reason: "suspected fraud" };

    expect(evaluateRules([allow, reject], "review", payload)).toEqual({ action: "reject", matched: [allow, reject] });
    expect(evaluateRules([reject, allow], "review", payload).action).toBe("reject");
    expect(evaluateRules([allow, review], "reject", payload).action).toBe("review");
    expect(evaluateRules([escalate, review, allow], "allow", payload).action).toBe("escalate");
    expect(evaluateRules([allow, review, escalate, reject], "allow", payload).matched).toHaveLength(4);
  });

  it("uses the default only when no rule matches, even if the default is stronger", () => {
    const allow = rule({ type: "lower_limit", parameter: "amount", value: 100, action: "allow" });
    expect(evaluateRules([allow], "reject", { amount: 50 })).toEqual({ action: "allow", matched: [allow] });
    expect(evaluateRules([allow], "reject", { amount: 500 })).toEqual({ action: "reject", matched: [] });
    expect(evaluateRules([], "review", { amount: 500 })).toEqual({ action: "review", matched: [] });
    expect(evaluateRules([allow], "review", null).action).toBe("review");
    expect(evaluateRules([allow], "escalate", undefined).action).toBe("escalate");
  });

  it("returns the caller's own rule objects", () => {
    const stored = { ...rule({ type: "upper_limit", parameter: "amount", value: 1, action: "review" }), id: "r1", position: 0 };
    expect(evaluateRules([stored], "allow", { amount: 2 }).matched[0]?.id).toBe("r1");
  });
});

describe("numeric rules", () => {
  const upper = rule({ type: "upper_limit", parameter: "amount", value: 250, action: "review" });
  const lower = rule({ type: "lower_limit", parameter: "confidence", value: 0.8, action: "allow" });
  const between = rule({ type: "between", parameter: "amount", min: 250, max: 1000, action: "review" });

  it("upper_limit matches strictly above the threshold", () => {
    expect(matches(upper, { amount: 250.01 })).toBe(true);
    expect(matches(upper, { amount: 250 })).toBe(false);
    expect(matches(upper, { amount: 10 })).toBe(false);
  });

  it("lower_limit matches strictly below the threshold", () => {
    expect(matches(lower, { confidence: 0.79 })).toBe(true);
    expect(matches(lower, { confidence: 0.8 })).toBe(false);
    expect(matches(lower, { confidence: 0.95 })).toBe(false);
    expect(matches(rule({ type: "lower_limit", parameter: "delta", value: 0, action: "review" }), { delta: -3 })).toBe(true);
  });

  it("between is inclusive at both ends", () => {
    expect(matches(between, { amount: 250 })).toBe(true);
    expect(matches(between, { amount: 1000 })).toBe(true);
    expect(matches(between, { amount: 600 })).toBe(true);
    expect(matches(between, { amount: 249.99 })).toBe(false);
    expect(matches(between, { amount: 1000.01 })).toBe(false);
    expect(matches(rule({ type: "between", parameter: "n", min: 3, max: 3, action: "review" }), { n: 3 })).toBe(true);
  });

  it("treats plain decimal strings as numbers, so quoting cannot dodge a limit", () => {
    expect(matches(upper, { amount: "500" })).toBe(true);
    expect(matches(upper, { amount: " 300.5 " })).toBe(true);
    expect(matches(upper, { amount: "2.5e3" })).toBe(true);
    expect(matches(upper, { amount: "250" })).toBe(false);
    expect(matches(lower, { confidence: ".5" })).toBe(true);
    expect(matches(between, { amount: "1000" })).toBe(true);
  });

  it("does not match values that are not numbers", () => {
    for (const amount of ["abc", "1,000", "$500", "0x1F4", "Infinity", "", "  ", true, null, [500], { value: 500 }]) {
      expect(matches(upper, { amount }), JSON.stringify(amount)).toBe(false);
      expect(matches(between, { amount }), JSON.stringify(amount)).toBe(false);
    }
    expect(matches(lower, { confidence: false })).toBe(false);
  });

  it("does not match when the parameter is missing", () => {
    expect(matches(upper, {})).toBe(false);
    expect(matches(upper, { Amount: 900 })).toBe(false);
    expect(evaluateRules([upper, lower, between], "review", { other: 1 })).toEqual({ action: "review", matched: [] });
  });

  it("checks a huge digit string in linear time", () => {
    const { result, ms } = timed(() => matches(upper, { amount: "1".repeat(60_000) + "x" }));
    expect(result).toBe(false);
    expect(ms).toBeLessThan(FAR_FROM_BACKTRACKING_MS);
  });
});

describe("contains", () => {
  const fraud = rule({ type: "contains", parameter: "reason", value: "fraud", action: "reject" });

  it("matches a substring case-insensitively", () => {
    expect(matches(fraud, { reason: "possible fraud" })).toBe(true);
    expect(matches(fraud, { reason: "Possible FRAUD ring" })).toBe(true);
    expect(matches(fraud, { reason: "defrauded" })).toBe(true);
    expect(matches(rule({ type: "contains", parameter: "reason", value: "FrAuD", action: "reject" }), { reason: "fraud" })).toBe(true);
    expect(matches(fraud, { reason: "refund request" })).toBe(false);
  });

  it("sees numbers as their decimal text and ignores other types", () => {
    const digits = rule({ type: "contains", parameter: "account", value: "999", action: "review" });
    expect(matches(digits, { account: 1299934 })).toBe(true);
    expect(matches(fraud, { reason: ["fraud"] })).toBe(false);
    expect(matches(fraud, { reason: { text: "fraud" } })).toBe(false);
    expect(matches(fraud, {})).toBe(false);
  });
});

describe("regex", () => {
  const competitor = rule({ type: "regex", parameter: "email", pattern: ".*@competitor\\.com$", action: "review" });

  it("matches or not, as written (case-sensitive unless the pattern says (?i))", () => {
    expect(matches(competitor, { email: "ceo@competitor.com" })).toBe(true);
    expect(matches(competitor, { email: "ceo@competitor.com.evil" })).toBe(false);
    expect(matches(competitor, { email: "ceo@partner.com" })).toBe(false);
    expect(matches(competitor, { email: "CEO@COMPETITOR.COM" })).toBe(false);
    const insensitive = rule({ type: "regex", parameter: "email", pattern: "(?i)@competitor\\.com$", action: "review" });
    expect(matches(insensitive, { email: "CEO@COMPETITOR.COM" })).toBe(true);
  });

  it("searches anywhere in the string unless anchored", () => {
    const card = rule({ type: "regex", parameter: "note", pattern: "\\d{4}-\\d{4}-\\d{4}-\\d{4}", action: "reject" });
    expect(matches(card, { note: "pay with 4111-1111-1111-1111 please" })).toBe(true);
    expect(matches(card, { note: "no card here" })).toBe(false);
    expect(matches(rule({ type: "regex", parameter: "id", pattern: "^\\d+$", action: "allow" }), { id: 42 })).toBe(true);
    expect(matches(competitor, { email: null })).toBe(false);
  });
});

describe("parameters", () => {
  it("reaches nested values by dot path, including array indexes", () => {
    const tier = rule({ type: "contains", parameter: "customer.tier", value: "gold", action: "allow" });
    expect(matches(tier, { customer: { tier: "Gold" } })).toBe(true);
    expect(matches(tier, { customer: { name: "x" } })).toBe(false);
    expect(matches(tier, { customer: "gold" })).toBe(false);
    const price = rule({ type: "upper_limit", parameter: "items.1.price", value: 10, action: "review" });
    expect(matches(price, { items: [{ price: 1 }, { price: 11 }] })).toBe(true);
    expect(matches(price, { items: [{ price: 11 }] })).toBe(false);
  });

  it("prefers a top-level key that contains a dot", () => {
    const tier = rule({ type: "contains", parameter: "customer.tier", value: "gold", action: "allow" });
    expect(matches(tier, { "customer.tier": "gold", customer: { tier: "bronze" } })).toBe(true);
    expect(matches(tier, { "customer.tier": "bronze", customer: { tier: "gold" } })).toBe(false);
  });

  it("never reads inherited properties", () => {
    for (const parameter of ["constructor", "toString", "__proto__", "customer.constructor.name", "name.length"]) {
      const r = rule({ type: "regex", parameter, pattern: ".", action: "reject" });
      expect(matches(r, { customer: {}, name: "abc" }), parameter).toBe(false);
    }
  });

  it("exposes an array's length", () => {
    const many = rule({ type: "upper_limit", parameter: "recipients.length", value: 2, action: "review" });
    expect(matches(many, { recipients: ["a", "b", "c"] })).toBe(true);
    expect(matches(many, { recipients: ["a", "b"] })).toBe(false);
  });
});

describe("validateRule", () => {
  it("normalises a valid rule to a gate_rules row shape", () => {
    expect(
      validateRule({ type: "upper_limit", parameter: " amount ", value: 250, action: "review", pattern: "ignored", extra: 1 }),
    ).toEqual({
      type: "upper_limit",
      parameter: "amount",
      value: 250,
      min: null,
      max: null,
      pattern: null,
      action: "review",
    });
    expect(validateRule({ type: "between", parameter: "amount", min: 250, max: 1000, value: null, action: "escalate" })).toEqual({
      type: "between",
      parameter: "amount",
      value: null,
      min: 250,
      max: 1000,
      pattern: null,
      action: "escalate",
    });
    const regex = { type: "regex", parameter: "email", pattern: ".*@competitor\\.com$", action: "review" };
    expect(gateRuleInput.parse(regex)).toEqual(validateRule(regex));
  });

  it("refuses malformed rules of any type", () => {
    rejectsWith(null, /a rule must be a JSON object/);
    rejectsWith([], /a rule must be a JSON object/);
    rejectsWith({ type: "greater_than", parameter: "amount", value: 1, action: "review" }, /type must be one of upper_limit, lower_limit/);
    rejectsWith({ parameter: "amount", value: 1, action: "review" }, /type must be one of/);
    rejectsWith({ type: "upper_limit", value: 1, action: "review" }, /parameter: parameter must be a string/);
    rejectsWith({ type: "upper_limit", parameter: "  ", value: 1, action: "review" }, /parameter must not be empty/);
    rejectsWith({ type: "upper_limit", parameter: "x".repeat(201), value: 1, action: "review" }, /at most 200/);
    rejectsWith(
      { type: "upper_limit", parameter: "amount", value: 1, action: "block" },
      /action must be one of allow, review, escalate, reject/,
    );
  });

  it("requires a numeric value for upper_limit and lower_limit", () => {
    rejectsWith({ type: "upper_limit", parameter: "amount", action: "review" }, /value: upper_limit needs a numeric value/);
    rejectsWith({ type: "upper_limit", parameter: "amount", value: "250", action: "review" }, /upper_limit needs a numeric value/);
    rejectsWith(
      { type: "lower_limit", parameter: "amount", value: Number.POSITIVE_INFINITY, action: "review" },
      /lower_limit needs a numeric value/,
    );
    rejectsWith({ type: "lower_limit", parameter: "amount", value: Number.NaN, action: "review" }, /lower_limit needs a numeric value/);
  });

  it("requires numeric min <= max for between", () => {
    rejectsWith({ type: "between", parameter: "amount", min: 1000, max: 250, action: "review" }, /max: between needs min <= max/);
    rejectsWith({ type: "between", parameter: "amount", min: 1, action: "review" }, /between needs a numeric max/);
    rejectsWith({ type: "between", parameter: "amount", value: 5, action: "review" }, /numeric min.*numeric max/);
  });

  it("requires a non-empty string value for contains", () => {
    rejectsWith({ type: "contains", parameter: "reason", action: "reject" }, /contains needs a string value/);
    rejectsWith({ type: "contains", parameter: "reason", value: 5, action: "reject" }, /contains needs a string value/);
    rejectsWith({ type: "contains", parameter: "reason", value: "", action: "reject" }, /non-empty value/);
    rejectsWith({ type: "contains", parameter: "reason", value: "x".repeat(1001), action: "reject" }, /at most 1000/);
  });

  it("requires a pattern that compiles as RE2 for regex", () => {
    const regex = (pattern: unknown) => ({ type: "regex", parameter: "email", pattern, action: "review" });
    rejectsWith({ type: "regex", parameter: "email", action: "review" }, /regex needs a pattern string/);
    rejectsWith(regex(""), /non-empty pattern/);
    rejectsWith(regex("[a-z"), /not valid RE2 syntax.*missing closing \]/);
    rejectsWith(regex("(a)\\1"), /not valid RE2 syntax.*backreferences are not supported/);
    rejectsWith(regex("foo(?=bar)"), /not valid RE2 syntax.*lookarounds/);
    rejectsWith(regex("(?<!x)y"), /not valid RE2 syntax/);
    rejectsWith(regex("a".repeat(501)), /at most 500 characters/);
  });

  it("names every problem at once", () => {
    let caught: unknown;
    try {
      validateRule({ type: "between", parameter: "", min: "1", max: 2, action: "maybe" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).details).toHaveLength(3);
  });
});

describe("regexes cannot stall the server", () => {
  // Each of these takes a backtracking engine (JavaScript's RegExp) exponential time on "aaaa…a!".
  const catastrophic = ["(a+)+$", "^(a|aa)+$", "^(a|a)*$", "^(\\w+\\s?)*$", "(.*a){12}$"];

  it("accepts classic catastrophic patterns and matches them in linear time", () => {
    const input = "a".repeat(MAX_MATCH_LENGTH - 1) + "!";
    for (const pattern of catastrophic) {
      const r = rule({ type: "regex", parameter: "text", pattern, action: "reject" });
      const { result, ms } = timed(() => evaluateRules([r], "allow", { text: input }));
      expect(result, pattern).toEqual({ action: "allow", matched: [] });
      expect(ms, pattern).toBeLessThan(FAR_FROM_BACKTRACKING_MS);
    }
  });

  it("refuses patterns whose compiled program would make matching slow", () => {
    rejectsWith(
      { type: "regex", parameter: "text", pattern: "(\\w+\\s?){1,1000}$", action: "review" },
      new RegExp(`too complex.*limit ${MAX_PROGRAM_SIZE}`),
    );
  });

  it("keeps the most complex accepted pattern fast at the longest inspected length", () => {
    // ~900 steps, just under MAX_PROGRAM_SIZE; among the slowest shapes measured for RE2.
    const pattern = "(.*a.*b){1,100}\\d$";
    const r = rule({ type: "regex", parameter: "text", pattern, action: "review" });
    const input = "ab cd ".repeat(MAX_MATCH_LENGTH / 6);
    const { result, ms } = timed(() => evaluateRules([r], "allow", { text: input }));
    expect(result.action).toBe("allow");
    expect(ms).toBeLessThan(FAR_FROM_BACKTRACKING_MS);
  });

  it("resolves a value too long to inspect towards caution, instantly", () => {
    const input = "a".repeat(50_000) + "!";
    const review = rule({ type: "regex", parameter: "text", pattern: "^(a|aa)+$", action: "review" });
    const allow = rule({ type: "regex", parameter: "text", pattern: "(a+)+$", action: "allow" });
    const { result, ms } = timed(() => evaluateRules([review, allow], "reject", { text: input }));
    // The review rule fires (padding cannot dodge it); the allow rule does not (padding cannot buy an allow).
    expect(result).toEqual({ action: "review", matched: [review] });
    expect(ms).toBeLessThan(FAR_FROM_BACKTRACKING_MS);
  });
});
