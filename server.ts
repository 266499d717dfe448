/**
 * `npm start` (and `npm run dev` with --dev): one web process (web-process.ts), or with
 * WEB_CONCURRENCY > 1 a supervisor of that many, sharing the port. The supervisor loads only
 * what it needs: the web process's modules (Next, the domain) would cost it seconds and memory.
 */
import path from "node:path";
import { config } from "@/lib/config";
import { superviseWebProcesses } from "@/lib/runtime/cluster";

const WEB_PROCESS = path.join(__dirname, "web-process.ts");

async function main(): Promise<void> {
  const env = config();
  const dev = process.argv.includes("--dev");
  if (env.WEB_CONCURRENCY === 1 || dev) {
    // Several dev servers would compile into the same .next directory at once.
    if (dev && env.WEB_CONCURRENCY > 1) console.warn("[conduit] --dev runs one web process; WEB_CONCURRENCY is ignored");
    await import("./web-process");
    return;
  }
  const warnings = env.UPSTASH_REDIS_REST_URL
    ? []
    : [
        `WEB_CONCURRENCY=${env.WEB_CONCURRENCY} without Upstash: each web process counts rate limits on its own, so a key may ` +
          `make up to ${env.WEB_CONCURRENCY}× its per-minute limit, and an address up to ${env.WEB_CONCURRENCY}× its failed ` +
          "authentications and sign-in attempts. Set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN to share them.",
      ];
  await superviseWebProcesses({ processes: env.WEB_CONCURRENCY, port: env.PORT, host: env.HOST, exec: WEB_PROCESS, warnings });
}

// No top-level await: tsx may load this file as CommonJS (the package has no "type": "module").
main().catch((error: unknown) => {
  console.error(`[conduit] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
