export { keySpendFor, MICROCENTS_PER_CENT } from "./budget";
export { releaseReservedAhead } from "./ahead";
export { flushCharges } from "./charges";
export { assertWithinPlan, planStanding, type PlanCap } from "./plan";
export { monthStart, periodStart } from "./periods";
export { costMicrocents } from "./prices";
export { assertBudgetLeft, startMetering, type RunMeter } from "./meter";
export { microcentsToCents } from "./spend";
