import http from "node:http";
import type { Socket } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { RouteTable } from "@/lib/serving/route-table";
import { startWorld, type World } from "./support/app";
import { createTenant } from "./support/fixtures";

const API = path.resolve(__dirname, "..", "app", "api");
const table = new RouteTable("/api", API);
const routeFile = (folder: string) => path.join(API, folder, "route.ts");

describe("the API's route table", () => {
  it("matches like Next.js: static before [param] before [...rest] before [[...optional]]", () => {
    expect(table.match("/api/v1/agents/tools")).toEqual({ file: routeFile("(agents-api)/v1/agents/tools"), params: {} });
    expect(table.match("/api/v1/agents/agt_1")).toEqual({
      file: routeFile("(agents-api)/v1/agents/[agent_id]"),
      params: { agent_id: "agt_1" },
    });
    expect(table.match("/api/v1/agents/agt_1/generate/gen_2/tool-outputs")).toEqual({
      file: routeFile("(agents-api)/v1/agents/[agent_id]/generate/[generation_id]/tool-outputs"),
      params: { agent_id: "agt_1", generation_id: "gen_2" },
    });
    expect(table.match("/api/auth/callback/github")).toEqual({
      file: routeFile("(auth-js)/auth/[...nextauth]"),
      params: { nextauth: ["callback", "github"] },
    });
    expect(table.match("/api/no/such/route")).toEqual({ file: routeFile("[[...path]]"), params: { path: ["no", "such", "route"] } });
    expect(table.match("/api")).toEqual({ file: routeFile("[[...path]]"), params: {} });
  });

  it("leaves paths Next.js normalises to Next.js", () => {
    for (const pathname of ["/api/health/", "/api//health", "/api/./health", "/api/v1/../health", "/api/h%65alth", "/apis", "/dashboard"]) {
      expect(table.match(pathname), pathname).toBeNull();
    }
  });
});

describe("API routes over HTTP", () => {
  let world: World<{ agentId: string; key: string }>;

  beforeAll(async () => {
    world = await startWorld({
      seed: async (db: Db) => {
        const acme = await createTenant(db, "Acme");
        return { agentId: acme.agent.id, key: acme.key };
      },
    });
  });

  afterAll(async () => {
    await world?.close();
  });

  it("answers alike whether Conduit serves the route directly or Next.js routes it", async () => {
    const { agentId } = world.seeded;
    // A percent-escape in the path sends the request through Next.js's router, to the same handler.
    const escaped = `%${agentId.charCodeAt(0).toString(16)}${agentId.slice(1)}`;
    const answers = await Promise.all(
      [`/api/agents/${agentId}/chat`, `/api/agents/${escaped}/chat`].map(async (pathname) => {
        const response = await fetch(`${world.app.url}${pathname}`, { method: "POST", headers: { Authorization: "Bearer cdt_wrong" } });
        return { status: response.status, body: (await response.json()) as { error: { code: string } } };
      }),
    );
    expect(answers[0]!.status).toBe(401);
    expect(answers[1]!.status).toBe(401);
    expect(answers[0]!.body.error.code).toBe(answers[1]!.body.error.code);
  });

  it("reads bodies whole or streamed by size, and a surface's body cap holds either way", async () => {
    const { agentId, key } = world.seeded;
    const chat = (content: string, headers: Record<string, string> = {}) =>
      fetch(`${world.app.url}/api/agents/${agentId}/chat`, {
        method: "POST",
        headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json", ...headers },
        body: JSON.stringify({ messages: [{ role: "user", content }] }),
      });
    expect((await chat("Hello")).status).toBe(200);
    // 100 KB is read whole before the handler runs, 2 MB streams to it; both exceed the 64 KB cap.
    for (const size of [100 * 1024, 2 * 1024 * 1024]) {
      const response = await chat("x".repeat(size));
      expect(response.status, `${size} bytes`).toBe(413);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
    }
  });

  it("drops a refused body's unread rest, so the kept-alive connection takes the next request", async () => {
    const { agentId, key } = world.seeded;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = (content: string) =>
      new Promise<{ status: number; socket: Socket }>((resolve, reject) => {
        const body = JSON.stringify({ messages: [{ role: "user", content }] });
        const request = http.request(`${world.app.url}/api/agents/${agentId}/chat`, {
          method: "POST",
          agent,
          headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
        });
        request.on("response", (response) => {
          response.resume();
          response.on("end", () => resolve({ status: response.statusCode ?? 0, socket: request.socket! }));
        });
        request.on("error", reject);
        request.end(body);
      });
    try {
      const refused = await post("x".repeat(4 * 1024 * 1024));
      expect(refused.status).toBe(413);
      const next = await post("Hello");
      expect(next.status).toBe(200);
      expect(next.socket).toBe(refused.socket);
    } finally {
      agent.destroy();
    }
  });
});
