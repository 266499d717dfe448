import { describeFailure } from "./failure";

/**
 * Collects records and writes them in batches off the request path: one multi-row write every
 * few milliseconds instead of several round trips per request. A batch that fails is written
 * again one record at a time, so one bad record cannot drop the others.
 */
export class BatchWriter<T> {
  private pending: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    /** What is written, for the log line of a record that could not be stored. */
    private readonly what: string,
    private readonly write: (batch: T[]) => Promise<void>,
    private readonly intervalMs = 50,
    private readonly maxBatch = 500,
  ) {}

  add(record: T): void {
    this.pending.push(record);
    if (this.pending.length >= this.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  /** Writes everything queued so far (and waits for writes under way); resolves once stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(() => (batch.length > 0 ? this.writeIsolated(batch) : undefined));
    return this.flushing;
  }

  private async writeIsolated(batch: T[]): Promise<void> {
    try {
      await this.write(batch);
      return;
    } catch (error) {
      if (batch.length === 1) return logFailure(this.what, error);
    }
    for (const record of batch) await this.write([record]).catch((error: unknown) => logFailure(this.what, error));
  }
}

/** Names the failure without the query's parameters or quoted values, which carry message text and secrets. */
function logFailure(what: string, error: unknown): void {
  console.error(`[conduit] could not record a ${what}: ${describeFailure(error)}`);
}
