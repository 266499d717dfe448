/**
 * Event fan-out reads an organisation's webhook endpoints through a shared cache. On the
 * embedded database (one connection, PGlite) a query outside a transaction waits for the
 * transaction to end, so a transaction must never wait on a read made outside it.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { eventCatalogue } from "@/lib/contracts/event-catalogue";
import { publishEvent } from "@/lib/events";
import { createOrganisation } from "@/lib/orgs";
import { withDatabase } from "./support/database";

const DEADLOCK_MS = 5_000;

describe("event fan-out", () => {
  it("publishes inside a transaction while the same organisation's endpoints are being read outside it", async () => {
    await withDatabase(async (db) => {
      const org = await createOrganisation(db, { name: "Fan-out" });
      const event = { orgId: org.id, type: "message.created" as const, data: eventCatalogue["message.created"].sample };
      let outside: Promise<void> | undefined;
      const inside = db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        // A reply's event, published outside while the transaction holds the connection: its read
        // of the (not yet cached) endpoints waits for the transaction to end.
        outside = publishEvent(db, event);
        await publishEvent(tx, event);
      });
      const deadlocked = new Promise<"deadlocked">((resolve) => setTimeout(() => resolve("deadlocked"), DEADLOCK_MS).unref());
      expect(await Promise.race([inside.then(() => "committed" as const), deadlocked])).toBe("committed");
      await outside;
    });
  });
});
