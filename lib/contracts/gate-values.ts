/** Weakest to strongest: when several rules match, the strongest action wins. */
export const gateActions = ["allow", "review", "escalate", "reject"] as const;
export type GateAction = (typeof gateActions)[number];

export const gateRuleTypes = ["upper_limit", "lower_limit", "between", "contains", "regex"] as const;
export type GateRuleType = (typeof gateRuleTypes)[number];
