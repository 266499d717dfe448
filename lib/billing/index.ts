export { keySpendFor } from "./budget";
export { assertWithinPlan } from "./plan";
export { assertBudgetLeft, startMetering, type RunMeter } from "./meter";
export { microcentsToCents } from "./spend";
