/**
 * A list that loopback stand-ins append to as requests (or mails) arrive, and that tests wait on:
 * `waitFor(n)` resolves with the list once it holds at least n items.
 */
export interface Arrivals<T> {
  items: T[];
  add(item: T): void;
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
}

export function arrivals<T>(what: string): Arrivals<T> {
  const items: T[] = [];
  const waiters = new Set<() => void>();
  return {
    items,
    add(item) {
      items.push(item);
      for (const waiter of waiters) waiter();
    },
    waitFor: (count, timeoutMs = 15_000) =>
      new Promise<T[]>((resolve, reject) => {
        const check = () => {
          if (items.length < count) return;
          cleanup();
          resolve(items);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`Expected ${count} ${what} within ${timeoutMs} ms, got ${items.length}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
  };
}
