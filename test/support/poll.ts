/**
 * Reads until `done` holds, for what happens in the background (jobs, deliveries, backfills);
 * returns the last reading when time runs out, so the caller's assertion says what was seen.
 */
export async function poll<T>(read: () => Promise<T>, done: (reading: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reading = await read();
    if (done(reading) || Date.now() > deadline) return reading;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
