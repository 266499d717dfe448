export { costMicrocents, priceOf } from "./prices";
export { periodStart, type BudgetPeriod } from "./periods";
export { keySpendFor, MICROCENTS_PER_CENT } from "./budget";
export { assertWithinPlan } from "./plan";
export { startMetering, type MeteredKey, type RunMeter } from "./meter";
export { assertBudgetLeft, microcentsToCents } from "./spend";
