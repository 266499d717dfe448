export { PermanentJobError, RetryLaterError } from "./errors";
export type { JobKind, JobPayloads } from "./kinds";
export { enqueueJob, enqueueJobOnce, jobsInsertCte, type NewJob } from "./queue";
export { nudgeWorkers, registerJobHandler, type JobHandler } from "./registry";
export { retryDelayMs, startWorker, type JobWorker } from "./worker";
