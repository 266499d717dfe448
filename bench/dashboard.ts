/**
 * `npm run bench:dashboard`: server-side render times of the dashboard's heaviest pages on an
 * embedded database seeded with many conversations (bench/seed-conversations.ts).
 *
 *   npm run bench:dashboard -- [--conversations 10000] [--requests 20]
 *
 * Seeds a fresh PGlite directory, starts the production build on it, signs in as the seeded
 * owner, then requests each page in turn (after a warm-up) and times the whole response, body
 * included. Prints a table, then `BENCH_DASHBOARD_JSON {...}`; exits 1 when a page's median is
 * over the budget (300 ms).
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { startWorld } from "../test/support/app";
import { ensureProductionBuild } from "./processes";
import { seedConversations, type SeededOrg } from "./seed-conversations";
import { rank, round } from "./stats";

const ROOT = path.resolve(__dirname, "..");
const BUDGET_MS = 300;
const WARMUP_REQUESTS = 3;

/** A signed-in browser, as far as the server can tell: the session cookie, sent with every request. */
class Session {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly baseUrl: string) {}

  private remember(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const separator = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, separator), pair!.slice(separator + 1));
    }
  }

  async fetch(pathname: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await fetch(`${this.baseUrl}${pathname}`, { redirect: "manual", ...init, headers: { ...init.headers, cookie } });
    this.remember(response);
    return response;
  }

  /** Auth.js's credentials sign-in: a CSRF token (double-submit cookie), then the form post. */
  async signIn(email: string, password: string): Promise<void> {
    const { csrfToken } = (await (await this.fetch("/api/auth/csrf")).json()) as { csrfToken: string };
    const response = await this.fetch("/api/auth/callback/credentials", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email, password, csrfToken, callbackUrl: `${this.baseUrl}/dashboard` }),
    });
    await response.arrayBuffer();
    const check = await this.fetch("/dashboard");
    await check.arrayBuffer();
    if (check.status !== 200) throw new Error(`sign-in failed: /dashboard answered ${check.status}`);
  }
}

interface PageTiming {
  page: string;
  path: string;
  p50: number;
  p95: number;
  max: number;
  bytes: number;
}

async function timePage(session: Session, page: string, pathname: string, expect: string, requests: number): Promise<PageTiming> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < WARMUP_REQUESTS + requests; i++) {
    const started = performance.now();
    const response = await session.fetch(pathname);
    const body = await response.text();
    const elapsed = performance.now() - started;
    if (response.status !== 200 || !body.includes(expect)) {
      throw new Error(`${pathname} answered ${response.status} without "${expect}"`);
    }
    bytes = body.length;
    if (i >= WARMUP_REQUESTS) times.push(elapsed);
  }
  times.sort((a, b) => a - b);
  return { page, path: pathname, p50: round(rank(times, 50), 1), p95: round(rank(times, 95), 1), max: round(times.at(-1)!, 1), bytes };
}

function pages(seeded: SeededOrg): Array<{ page: string; path: string; expect: string }> {
  const [support] = seeded.agents;
  return [
    { page: "conversations, first page", path: "/dashboard/conversations", expect: "Question " },
    { page: "conversations, text search", path: `/dashboard/conversations?q=${seeded.word}`, expect: seeded.word },
    {
      page: "conversations, agent + door + dates",
      path: `/dashboard/conversations?agent=${support!.id}&door=chat&from=2000-01-01`,
      expect: "Question ",
    },
    { page: "conversation", path: `/dashboard/conversations/${seeded.sample.conversationId}`, expect: "Turns" },
    { page: "trace (with a called agent)", path: `/dashboard/traces/${seeded.sample.traceId}`, expect: "Called agent" },
    { page: "usage, 30 days", path: "/dashboard/usage?days=30", expect: "Messages per day" },
    { page: "usage, 90 days", path: "/dashboard/usage?days=90", expect: "Messages per day" },
    { page: "usage, 90 days, one key", path: `/dashboard/usage?days=90&key=${seeded.keyId}`, expect: "Messages per day" },
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { conversations: { type: "string", default: "10000" }, requests: { type: "string", default: "20" } },
  });
  const count = Number(values.conversations);
  const requests = Number(values.requests);
  await ensureProductionBuild(ROOT);
  console.log(`Seeding ${count} conversations…`);
  const world = await startWorld({
    backend: "pglite",
    env: { SEED_DEMO: "false" },
    seed: (db) => seedConversations(db, { count, days: 90 }),
  });
  try {
    const session = new Session(world.app.url);
    await session.signIn(world.seeded.email, world.seeded.password);
    const timings: PageTiming[] = [];
    for (const page of pages(world.seeded)) timings.push(await timePage(session, page.page, page.path, page.expect, requests));
    // The whole 90-day CSV (every run): not a page, but the same data at its largest.
    const started = performance.now();
    const csv = await (await session.fetch("/dashboard/usage/export?days=90")).text();
    const exportMs = round(performance.now() - started, 1);

    console.log(
      `\nServer-side render, ${count} conversations on PGlite, ${requests} requests per page (after ${WARMUP_REQUESTS} warm-up):\n`,
    );
    console.log(`${"page".padEnd(40)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"max ms".padStart(8)} ${"KB".padStart(6)}`);
    for (const timing of timings) {
      const flag = timing.p50 > BUDGET_MS ? "  over budget" : "";
      console.log(
        `${timing.page.padEnd(40)} ${String(timing.p50).padStart(8)} ${String(timing.p95).padStart(8)} ${String(timing.max).padStart(8)} ${String(Math.round(timing.bytes / 1024)).padStart(6)}${flag}`,
      );
    }
    console.log(`\nCSV export, 90 days: ${csv.trim().split("\r\n").length - 1} rows in ${exportMs} ms`);
    console.log(`BENCH_DASHBOARD_JSON ${JSON.stringify({ conversations: count, budgetMs: BUDGET_MS, timings, exportMs })}`);
    if (timings.some((timing) => timing.p50 > BUDGET_MS)) process.exitCode = 1;
  } finally {
    await world.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
