export { keySpendFor } from "./budget";
export { assertWithinPlan } from "./plan";
export { startMetering, type RunMeter } from "./meter";
export { assertBudgetLeft, microcentsToCents } from "./spend";
