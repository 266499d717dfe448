/**
 * One caller cannot destroy another's records. Records written behind replies are batched: a
 * message PostgreSQL cannot store is refused at the door, so it never joins a batch; and a bad
 * record that did join one is the only one lost, without its text (or anyone's) in the log.
 */
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDatabase, tables } from "@/lib/db";
import { BatchWriter } from "@/lib/runtime/batch-writer";
import { startWorld, type World } from "../support/app";
import { withDatabase } from "../support/database";
import { createTenant } from "../support/fixtures";

describe("BatchWriter", () => {
  it("loses only the record the database refuses, and logs neither its text nor the others'", async () => {
    await withDatabase(async (db) => {
      const names = Array.from({ length: 30 }, (_, i) => `Organisation ${i} private-text-${i}`);
      names[17] = "Bad\u0000organisation private-text-bad";
      const writer = new BatchWriter<string>("organisation", async (batch) => {
        await db
          .insert(tables.organisations)
          .values(batch.map((name, i) => ({ name, slug: `${name.slice(0, 20)}-${i}-${Math.random()}` })));
      });
      const spy = vi.spyOn(console, "error").mockImplementation(() => undefined);
      let logged: unknown[][];
      try {
        for (const name of names) writer.add(name);
        await writer.flush();
      } finally {
        logged = [...spy.mock.calls];
        spy.mockRestore();
      }
      const stored = await db
        .select({ name: tables.organisations.name })
        .from(tables.organisations)
        .where(
          inArray(
            tables.organisations.name,
            names.filter((_, i) => i !== 17),
          ),
        );
      expect(stored).toHaveLength(29);
      const log = logged.map((args) => args.map(String).join(" ")).join("\n");
      expect(log).toMatch(/could not record a organisation: .*\(22021\)/);
      expect(logged).toHaveLength(1);
      expect(log).not.toContain("private-text");
    });
  });
});

describe("concurrent chats of two organisations, one sending text the database cannot store", () => {
  let world: World<{ acme: Awaited<ReturnType<typeof createTenant>>; globex: Awaited<ReturnType<typeof createTenant>> }>;

  beforeAll(async () => {
    world = await startWorld({
      seed: async (db) => ({ acme: await createTenant(db, "Acme"), globex: await createTenant(db, "Globex") }),
      env: { RATE_LIMIT_PER_KEY_PER_MINUTE: "10000" },
    });
  });

  afterAll(async () => {
    await world?.close();
  });

  const chat = (tenant: { key: string; agent: { publicId: string } }, content: string) =>
    fetch(`${world.app.url}/api/agents/${tenant.agent.publicId}/chat`, {
      method: "POST",
      headers: { Authorization: `Bearer ${tenant.key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content }] }),
    });

  it("refuses the bad ones at the door and stores every record of the other organisation", async () => {
    const { acme, globex } = world.seeded;
    const texts = Array.from({ length: 20 }, (_, i) => `acme question ${i}`);
    const [good, bad] = await Promise.all([
      Promise.all(texts.map((text) => chat(acme, text))),
      Promise.all(Array.from({ length: 20 }, (_, i) => chat(globex, `globex\u0000 ${i}`))),
    ]);
    expect(good.map((response) => response.status)).toEqual(texts.map(() => 200));
    expect(bad.map((response) => response.status)).toEqual(texts.map(() => 400));

    // SIGTERM writes everything queued; then the records are read from the database itself.
    expect(await world.app.stop()).toBe(0);
    const handle = await openDatabase({ url: world.app.env.DATABASE_URL, dataDir: world.app.dataDir });
    try {
      const generations = await handle.db.select().from(tables.generations).where(eq(tables.generations.orgId, acme.org.id));
      expect(generations).toHaveLength(20);
      const messages = await handle.db.select().from(tables.messages).where(eq(tables.messages.orgId, acme.org.id));
      const stored = messages.map((message) => message.content);
      for (const text of texts) expect(stored).toContain(text);
      expect(messages.filter((message) => message.role === "assistant")).toHaveLength(20);
      expect(await handle.db.select().from(tables.generations).where(eq(tables.generations.orgId, globex.org.id))).toHaveLength(0);
    } finally {
      await handle.close();
    }
    expect(world.app.output()).not.toMatch(/could not record/);
  });
});
