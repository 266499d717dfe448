import { sql } from "drizzle-orm";
import { describeFailure } from "@/lib/runtime/failure";
import { processSingleton } from "@/lib/runtime/singleton";
import { getDb } from "./client";
import { apiKeys, userTokens } from "./schema";

const WRITE_INTERVAL_MS = 60_000;
const credentialTables = { apiKeys, userTokens };

/**
 * Notes that a credential (an API key, a personal access token) was used, off the request's path
 * and without a write per request: at most one write per credential per minute per process.
 */
export function noteLastUsed(kind: keyof typeof credentialTables, id: string): void {
  const now = Date.now();
  const lastWrites = processSingleton(`last-used:${kind}`, () => new Map<string, number>());
  if (now - (lastWrites.get(id) ?? 0) < WRITE_INTERVAL_MS) return;
  lastWrites.set(id, now);
  const table = credentialTables[kind];
  void getDb()
    .then((db) => db.execute(sql`update ${table} set last_used_at = ${new Date(now).toISOString()}::timestamptz where id = ${id}::uuid`))
    .catch((error: unknown) => console.error(`[conduit] could not record credential use: ${describeFailure(error)}`));
}
