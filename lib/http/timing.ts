/**
 * Splits a request's wall time into time spent waiting on the model and the gateway's own
 * overhead, reported in a Server-Timing header on every response; knowledge retrieval, part of
 * the gateway's time, is reported apart when a run did any.
 */
export class RequestTiming {
  private modelMs = 0;
  /** Start of the model call in flight, if any: a stream's headers go out while it still runs. */
  private modelSince: number | null = null;
  private retrievalMs: number | null = null;

  constructor(readonly startedAt: number) {}

  /** Marks the start of a wait on the model; call the returned function when it is over. */
  beginModelWait(): () => void {
    const t0 = performance.now();
    this.modelSince = t0;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.modelMs += performance.now() - t0;
      if (this.modelSince === t0) this.modelSince = null;
    };
  }

  noteRetrieval(ms: number): void {
    this.retrievalMs = (this.retrievalMs ?? 0) + ms;
  }

  modelWaitMs(): number {
    return this.modelMs + (this.modelSince === null ? 0 : performance.now() - this.modelSince);
  }

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  header(): string {
    const total = this.elapsedMs();
    const model = this.modelWaitMs();
    const gateway = Math.max(0, total - model);
    const retrieval = this.retrievalMs === null ? "" : `, retrieval;dur=${this.retrievalMs.toFixed(2)}`;
    return `gateway;dur=${gateway.toFixed(2)}, model;dur=${model.toFixed(2)}, total;dur=${total.toFixed(2)}${retrieval}`;
  }
}
