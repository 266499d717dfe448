import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { launchApp, startWorld, type RunningApp, type World } from "./support/app";
import { createKey, createTenant } from "./support/fixtures";
import { getJson, uniqueIp } from "./support/http";
import { startUpstashRestAdapter, type UpstashRestAdapter } from "./support/upstash-rest-adapter";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

let adapter: UpstashRestAdapter;
let redis: Redis;
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme");
  const shared = await createKey(db, { orgId: acme.org.id, name: "shared", rateLimitPerMinute: 4 });
  return { acme, sharedKey: shared.secret, sharedKeyId: shared.id };
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  adapter = await startUpstashRestAdapter({ redisUrl: REDIS_URL });
  world = await startWorld({
    seed,
    env: { UPSTASH_REDIS_REST_URL: adapter.url, UPSTASH_REDIS_REST_TOKEN: adapter.token, TRUST_PROXY_HOPS: "1" },
  });
});

afterAll(async () => {
  await world?.close();
  await adapter?.close();
  redis?.disconnect();
});

const health = (app: RunningApp, key: string, headers: Record<string, string> = {}) =>
  getJson(`${app.url}/api/v1/health`, { key, headers });

describe("rate limits on Upstash Redis (real redis-server behind the Upstash REST protocol)", () => {
  it("counts per key in Redis and answers 429 once the budget is spent", async () => {
    const { sharedKey, sharedKeyId } = world.seeded;
    const before = adapter.commandCount();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await health(world.app, sharedKey)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    expect(adapter.commandCount()).toBeGreaterThan(before);
    const keys = await redis.keys(`conduit:rl:key:4:${sharedKeyId}*`);
    expect(keys.length).toBeGreaterThan(0);
  });

  it("counts failed authentications per IP in Redis", async () => {
    const attacker = uniqueIp();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await health(world.app, `cdt_nope${i}`, attacker)).status);
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    const ip = attacker["X-Forwarded-For"]!;
    expect((await redis.keys(`conduit:rl:auth-fail:10:${ip}*`)).length).toBeGreaterThan(0);
  });

  it("shares one budget between two instances of Conduit", async ({ skip }) => {
    if (world.backend === "pglite") return skip("two processes cannot share one PGlite directory");
    // Same database, same Redis, its own port.
    const second = await launchApp(world.app.env);
    try {
      const { acme } = world.seeded;
      const { createKey: make } = await import("./support/fixtures");
      const key = await make(world.db!, { orgId: acme.org.id, name: "replicated", rateLimitPerMinute: 4 });
      const statuses = [
        (await health(world.app, key.secret)).status,
        (await health(second, key.secret)).status,
        (await health(world.app, key.secret)).status,
        (await health(second, key.secret)).status,
        (await health(second, key.secret)).status,
        (await health(world.app, key.secret)).status,
      ];
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    } finally {
      await second.stop();
    }
  });
});
