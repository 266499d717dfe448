/** Thrown by a handler when retrying cannot help (bad payload, target gone): the job gives up at once. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PermanentJobError";
  }
}

/**
 * Thrown by a handler that knows when to try again (e.g. a Retry-After answer): the next attempt
 * is scheduled no earlier than `delayMs` from now, and no earlier than the usual backoff.
 */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = "RetryLaterError";
  }
}
