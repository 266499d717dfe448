export { keySpendFor, MICROCENTS_PER_CENT, type BudgetedKey } from "./budget";
export { releaseReservedAhead } from "./ahead";
export { flushCharges } from "./charges";
export { meteredEmbedding, type EmbeddingPayer } from "./embeddings";
export { assertWithinPlan, planStanding, type PlanCap } from "./plan";
export { monthStart, periodStart } from "./periods";
export { costMicrocents } from "./prices";
export { assertBudgetLeft, startMetering, type RunMeter } from "./meter";
export { microcentsToCents } from "./spend";
