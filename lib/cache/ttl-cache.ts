/**
 * A bounded in-process cache whose entries expire after a TTL. It stores promises, so
 * concurrent misses for one key share a single load (no stampede on the database).
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    const value = load();
    if (this.ttlMs > 0) {
      this.entries.set(key, { value, expiresAt: now + this.ttlMs });
      // A failed load must not be remembered.
      value.catch(() => this.entries.delete(key));
      if (this.entries.size > this.maxEntries) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    }
    return value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
