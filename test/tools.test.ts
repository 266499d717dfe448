import diagnosticsChannel from "node:diagnostics_channel";
import http, { type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { config } from "@/lib/config";
import { isAddressAllowed } from "@/lib/net";
import {
  assertAllowedUrl,
  executeHttpTool,
  createGuardedFetch,
  guardedLookup,
  openMcpConnection,
  ToolError,
  type McpConnection,
} from "@/lib/tools";

// config() reads the environment once, on first use; nothing below calls it before these stubs.
const TIMEOUT_MS = 500;
const MAX_BYTES = 4096;
vi.stubEnv("TOOL_ALLOWED_PRIVATE_HOSTS", "127.0.0.1, conduit-allowed.test, 10.9.0.0/16");
vi.stubEnv("TOOL_TIMEOUT_MS", String(TIMEOUT_MS));
vi.stubEnv("TOOL_MAX_RESPONSE_BYTES", String(MAX_BYTES));

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface TestServer {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

async function listen(server: http.Server, path = ""): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
}

async function stop(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Records every request and answers by path; the default answer echoes the request as JSON. */
async function startHttpServer(): Promise<TestServer> {
  const requests: Recorded[] = [];
  const server = http.createServer(async (req, res) => {
    const recorded = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: await readBody(req) };
    requests.push(recorded);
    const path = recorded.url.split("?")[0];
    if (path === "/text") {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end("plain words");
    } else if (path === "/bad-json") {
      res.writeHead(200, { "content-type": "application/json" }).end("{not json");
    } else if (path === "/problem") {
      res.writeHead(404, { "content-type": "application/problem+json" }).end(JSON.stringify({ title: "Nope" }));
    } else if (path === "/large") {
      // Streamed without content-length, so the cap has to count bytes as they arrive.
      res.writeHead(200, { "content-type": "text/plain" });
      for (let i = 0; i < 10; i++) res.write("x".repeat(1024));
      res.end();
    } else if (path === "/large-declared") {
      res.writeHead(200, { "content-type": "text/plain", "content-length": String(MAX_BYTES + 1) }).end("x".repeat(MAX_BYTES + 1));
    } else if (path === "/slow") {
      const timer = setTimeout(() => res.end("too late"), 5_000);
      res.on("close", () => clearTimeout(timer));
    } else if (path === "/redirect") {
      res.writeHead(302, { location: "/text", "content-type": "text/plain" }).end("moved");
    } else {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(recorded));
    }
  });
  return { url: await listen(server), requests, close: () => stop(server) };
}

function buildMcpServer(): McpServer {
  const server = new McpServer({ name: "test-tools", version: "1.0.0" });
  server.registerTool("add", { description: "Adds two numbers", inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => ({
    content: [{ type: "text", text: String(a + b) }],
  }));
  server.registerTool(
    "stats",
    {
      inputSchema: { a: z.number(), b: z.number() },
      outputSchema: { sum: z.number(), product: z.number() },
    },
    async ({ a, b }) => {
      const structuredContent = { sum: a + b, product: a * b };
      return { content: [{ type: "text", text: JSON.stringify(structuredContent) }], structuredContent };
    },
  );
  server.registerTool("fail", { description: "Always fails" }, async () => ({
    isError: true,
    content: [{ type: "text", text: "something broke" }],
  }));
  server.registerTool("slow", {}, async () => {
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS * 4));
    return { content: [{ type: "text", text: "too late" }] };
  });
  server.registerTool("big", {}, async () => ({ content: [{ type: "text", text: "y".repeat(MAX_BYTES * 2) }] }));
  return server;
}

/** A stateless Streamable HTTP MCP server: one McpServer + transport per POST. */
async function startMcpServer(): Promise<TestServer> {
  const requests: Recorded[] = [];
  const server = http.createServer(async (req, res) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: "" });
    if (req.method !== "POST") {
      res.writeHead(405).end();
      return;
    }
    const mcp = buildMcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  });
  return { url: await listen(server, "/mcp"), requests, close: () => stop(server) };
}

/** Runs `attempt`, counting the client sockets opened meanwhile; returns its rejection, if any. */
async function watchSockets(attempt: () => Promise<unknown>): Promise<{ error: unknown; sockets: number }> {
  let sockets = 0;
  const onSocket = () => sockets++;
  diagnosticsChannel.subscribe("net.client.socket", onSocket);
  try {
    const error = await attempt().then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    return { error, sockets };
  } finally {
    diagnosticsChannel.unsubscribe("net.client.socket", onSocket);
  }
}

/** Asserts `attempt` is refused with a ToolError before any socket is opened. */
async function expectRefusedBeforeConnecting(attempt: () => Promise<unknown>, message: RegExp): Promise<void> {
  const { error, sockets } = await watchSockets(attempt);
  expect(error).toBeInstanceOf(ToolError);
  expect((error as ToolError).message).toMatch(message);
  expect(sockets).toBe(0);
}

let api: TestServer;
let mcp: TestServer;
let connections: McpConnection[] = [];

beforeAll(async () => {
  api = await startHttpServer();
  mcp = await startMcpServer();
});

afterEach(async () => {
  await Promise.all(connections.map((connection) => connection.close()));
  connections = [];
});

afterAll(async () => {
  await api?.close();
  await mcp?.close();
});

async function connect(options: { headers?: Record<string, string>; tools?: string[] } = {}): Promise<McpConnection> {
  const connection = await openMcpConnection({ url: mcp.url, ...options });
  connections.push(connection);
  return connection;
}

describe("tool configuration", () => {
  it("reads the stubbed environment", () => {
    expect(config().TOOL_ALLOWED_PRIVATE_HOSTS).toEqual(["127.0.0.1", "conduit-allowed.test", "10.9.0.0/16"]);
    expect(config().TOOL_TIMEOUT_MS).toBe(TIMEOUT_MS);
    expect(config().TOOL_MAX_RESPONSE_BYTES).toBe(MAX_BYTES);
  });
});

describe("HTTP tools", () => {
  it("fills placeholders with encoded arguments and sends the rest as a JSON body (POST by default)", async () => {
    const result = await executeHttpTool({
      config: { url: `${api.url}/items/{id}/notes/{{ note }}?lang={lang}` },
      args: { id: "a/b?c=d&e", note: "x y", lang: "fr", text: "hello", count: 2 },
    });
    expect(result.status).toBe(200);
    const seen = result.body as Recorded;
    expect(seen.method).toBe("POST");
    expect(seen.url).toBe("/items/a%2Fb%3Fc%3Dd%26e/notes/x%20y?lang=fr");
    expect(seen.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(seen.body)).toEqual({ text: "hello", count: 2 });
  });

  it("sends the remaining arguments as query parameters for GET and DELETE", async () => {
    const get = await executeHttpTool({
      config: { url: `${api.url}/search?fixed=1`, method: "GET" },
      args: { q: "café & co", tags: ["a", "b"], filter: { min: 1 }, skipped: null },
    });
    const seen = get.body as Recorded;
    expect(seen.method).toBe("GET");
    const query = new URL(seen.url, "http://x").searchParams;
    expect(query.get("fixed")).toBe("1");
    expect(query.get("q")).toBe("café & co");
    expect(query.getAll("tags")).toEqual(["a", "b"]);
    expect(query.get("filter")).toBe('{"min":1}');
    expect(query.has("skipped")).toBe(false);
    expect(seen.body).toBe("");

    const del = await executeHttpTool({ config: { url: `${api.url}/items/{id}`, method: "DELETE" }, args: { id: 7, hard: true } });
    expect((del.body as Recorded).method).toBe("DELETE");
    expect((del.body as Recorded).url).toBe("/items/7?hard=true");
  });

  it("sends configured headers and tool_context headers, configured ones winning", async () => {
    const result = await executeHttpTool({
      config: { url: `${api.url}/h`, method: "PUT", headers: { Authorization: "Bearer tool-secret", "X-Static": "1" } },
      args: {},
      context: { "X-User-Id": "user-42", authorization: "Bearer from-caller" },
    });
    const seen = result.body as Recorded;
    expect(seen.method).toBe("PUT");
    expect(seen.headers.authorization).toBe("Bearer tool-secret");
    expect(seen.headers["x-static"]).toBe("1");
    expect(seen.headers["x-user-id"]).toBe("user-42");
    expect(JSON.parse(seen.body)).toEqual({});
  });

  it("refuses tool_context entries that are not valid or safe header names", async () => {
    const before = api.requests.length;
    const contexts: Array<Record<string, string>> = [{ "bad header": "x" }, { Host: "evil.example" }, { "X-Ok": "line\r\nbreak" }];
    for (const context of contexts) {
      await expect(executeHttpTool({ config: { url: `${api.url}/h` }, args: {}, context })).rejects.toThrow(ToolError);
    }
    expect(api.requests.length).toBe(before);
  });

  it("refuses a call with a missing placeholder argument before sending anything", async () => {
    const before = api.requests.length;
    await expect(executeHttpTool({ config: { url: `${api.url}/items/{id}` }, args: { other: 1 } })).rejects.toThrow(
      new ToolError('Missing argument "id" (used in the tool URL)'),
    );
    await expect(executeHttpTool({ config: { url: `${api.url}/items/{toString}` }, args: {} })).rejects.toThrow(/Missing argument/);
    expect(api.requests.length).toBe(before);
  });

  it("parses JSON bodies, falls back to text, and returns text as text", async () => {
    expect(await executeHttpTool({ config: { url: `${api.url}/text`, method: "GET" }, args: {} })).toEqual({
      status: 200,
      body: "plain words",
    });
    expect(await executeHttpTool({ config: { url: `${api.url}/bad-json`, method: "GET" }, args: {} })).toEqual({
      status: 200,
      body: "{not json",
    });
  });

  it("returns non-2xx statuses as results", async () => {
    expect(await executeHttpTool({ config: { url: `${api.url}/problem`, method: "GET" }, args: {} })).toEqual({
      status: 404,
      body: { title: "Nope" },
    });
  });

  it("returns a redirect without following it", async () => {
    const before = api.requests.length;
    const result = await executeHttpTool({ config: { url: `${api.url}/redirect`, method: "GET" }, args: {} });
    expect(result).toEqual({ status: 302, body: "moved" });
    expect(api.requests.slice(before).map((request) => request.url)).toEqual(["/redirect"]);
  });

  it("times out after TOOL_TIMEOUT_MS", async () => {
    const started = Date.now();
    await expect(executeHttpTool({ config: { url: `${api.url}/slow`, method: "GET" }, args: {} })).rejects.toThrow(
      new ToolError(`GET ${api.url}/slow timed out after ${TIMEOUT_MS} ms`),
    );
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1_000);
  });

  it("stops when the caller aborts", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(
      executeHttpTool({ config: { url: `${api.url}/slow`, method: "GET" }, args: {}, signal: controller.signal }),
    ).rejects.toThrow(/was aborted/);
  });

  it("stops reading responses larger than TOOL_MAX_RESPONSE_BYTES", async () => {
    for (const path of ["/large", "/large-declared"]) {
      await expect(executeHttpTool({ config: { url: `${api.url}${path}`, method: "GET" }, args: {} })).rejects.toThrow(
        new ToolError(`Response from GET ${api.url}${path} exceeds ${MAX_BYTES} bytes`),
      );
    }
  });

  it("reports an unreachable allowed host as a ToolError", async () => {
    const closed = http.createServer();
    const url = await listen(closed);
    await stop(closed);
    await expect(executeHttpTool({ config: { url, method: "GET" }, args: {} })).rejects.toThrow(/failed: .*ECONNREFUSED/);
  });
});

describe("SSRF protection", () => {
  const port = () => new URL(api.url).port;
  const refusals: Array<[string, () => string, RegExp]> = [
    [
      "another loopback address",
      () => `http://127.0.0.2:${port()}/`,
      /^Refusing to call 127\.0\.0\.2: loopback address \(allow it with TOOL_ALLOWED_PRIVATE_HOSTS\)$/,
    ],
    ["a loopback address written as a number", () => `http://2130706434:${port()}/`, /127\.0\.0\.2: loopback/],
    ["a private address", () => "http://10.0.0.1/", /10\.0\.0\.1: private address/],
    ["the cloud metadata address", () => "http://169.254.169.254/latest/meta-data/", /169\.254\.169\.254: cloud metadata address/],
    ["a link-local address", () => "http://169.254.1.1/", /link-local address/],
    ["a carrier-grade NAT address", () => "http://100.64.0.1/", /carrier-grade NAT address/],
    ["the unspecified address", () => `http://0.0.0.0:${port()}/`, /0\.0\.0\.0: unspecified address/],
    ["a multicast address", () => "http://224.0.0.1/", /multicast address/],
    ["IPv6 loopback", () => "http://[::1]:1/", /::1: loopback address/],
    ["IPv4-mapped IPv6 loopback", () => "http://[::ffff:127.0.0.2]:1/", /::ffff:7f00:2: loopback address/],
    ["IPv4-mapped IPv6 metadata", () => "http://[::ffff:169.254.169.254]/", /cloud metadata address/],
    ["NAT64 of a private address", () => "http://[64:ff9b::10.0.0.1]/", /private address/],
    ["an IPv6 unique-local address", () => "http://[fd00::1]/", /unique-local address/],
    ["an IPv6 link-local address", () => "http://[fe80::1]/", /link-local address/],
    ["the AWS IPv6 metadata address", () => "http://[fd00:ec2::254]/", /cloud metadata address/],
    ["ftp", () => "ftp://127.0.0.1/", /only http: and https: are allowed/],
    ["file", () => "file:///etc/passwd", /only http: and https: are allowed/],
  ];

  it("sees the sockets an allowed call opens (so refusals counting none are meaningful)", async () => {
    const { error, sockets } = await watchSockets(() => executeHttpTool({ config: { url: `${api.url}/text`, method: "GET" }, args: {} }));
    expect(error).toBeUndefined();
    expect(sockets).toBe(1);
  });

  it.each(refusals)("refuses %s before connecting", async (_name, target, message) => {
    await expectRefusedBeforeConnecting(() => executeHttpTool({ config: { url: target(), method: "GET" }, args: {} }), message);
  });

  it("does not let placeholder arguments change the host", async () => {
    const result = await executeHttpTool({
      config: { url: `${api.url}/{path}`, method: "GET" },
      args: { path: "@169.254.169.254/x" },
    });
    expect((result.body as Recorded).url).toBe("/%40169.254.169.254%2Fx");
  });

  it("checks every request of the MCP fetch", async () => {
    await expectRefusedBeforeConnecting(
      () => createGuardedFetch(() => undefined)("http://10.0.0.1/mcp", { method: "POST", body: "{}" }),
      /private address/,
    );
  });

  it("allows allow-listed names, IPs and CIDR ranges without connecting", async () => {
    await expect(assertAllowedUrl(new URL("http://conduit-allowed.test/"))).resolves.toBeUndefined();
    await expect(assertAllowedUrl(new URL("http://CONDUIT-ALLOWED.test./"))).resolves.toBeUndefined();
    await expect(assertAllowedUrl(new URL("http://10.9.200.1/"))).resolves.toBeUndefined();
    await expect(assertAllowedUrl(new URL("http://[::ffff:127.0.0.1]/"))).resolves.toBeUndefined();
    await expect(assertAllowedUrl(new URL("http://10.10.0.1/"))).rejects.toThrow(ToolError);
  });

  it("decides addresses against the allow-list, CIDR ranges included", () => {
    const allowList = ["10.0.0.0/8", "192.168.1.7", "fd12::/16", "[::1]", "internal.example"];
    expect(isAddressAllowed("10.200.3.4", allowList)).toBe(true);
    expect(isAddressAllowed("::ffff:10.200.3.4", allowList)).toBe(true);
    expect(isAddressAllowed("192.168.1.7", allowList)).toBe(true);
    expect(isAddressAllowed("192.168.1.8", allowList)).toBe(false);
    expect(isAddressAllowed("fd12:3::1", allowList)).toBe(true);
    expect(isAddressAllowed("fd13::1", allowList)).toBe(false);
    expect(isAddressAllowed("::1", allowList)).toBe(true);
    expect(isAddressAllowed("127.0.0.1", allowList)).toBe(false);
    expect(isAddressAllowed("169.254.169.254", allowList)).toBe(false);
    expect(isAddressAllowed("internal.example", allowList)).toBe(false);
    for (const address of ["127.0.0.1", "::ffff:127.0.0.1", "0.0.0.0", "::", "100.127.0.1", "fe80::1", "ff02::1", "2002:a00:1::"]) {
      expect(isAddressAllowed(address, [])).toBe(false);
    }
    for (const address of ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"]) {
      expect(isAddressAllowed(address, [])).toBe(true);
    }
    expect(() => isAddressAllowed("10.0.0.1", ["10.0.0.0/33"])).toThrow(/not a valid CIDR range/);
  });

  it("checks addresses again at connect time in the lookup", async () => {
    const lookup = (hostname: string, all: boolean) =>
      new Promise<unknown>((resolve, reject) => {
        guardedLookup(hostname, { all }, (error, address, family) => (error ? reject(error) : resolve({ address, family })));
      });
    await expect(lookup("127.0.0.2", true)).rejects.toThrow(/Refusing to call 127\.0\.0\.2: loopback address/);
    expect(await lookup("127.0.0.1", false)).toEqual({ address: "127.0.0.1", family: 4 });
    expect(await lookup("127.0.0.1", true)).toEqual({ address: [{ address: "127.0.0.1", family: 4 }], family: undefined });
  });
});

describe("MCP tools", () => {
  it("lists the server's tools", async () => {
    const connection = await connect();
    expect(connection.tools.map((tool) => tool.name).sort()).toEqual(["add", "big", "fail", "slow", "stats"]);
    const add = connection.tools.find((tool) => tool.name === "add");
    expect(add?.description).toBe("Adds two numbers");
    expect(add?.inputSchema).toMatchObject({ type: "object", properties: { a: { type: "number" }, b: { type: "number" } } });
  });

  it("calls tools, returning text or structured content", async () => {
    const connection = await connect();
    expect(await connection.call("add", { a: 2, b: 3 })).toBe("5");
    expect(await connection.call("stats", { a: 2, b: 3 })).toEqual({ sum: 5, product: 6 });
  });

  it("sends the configured headers", async () => {
    const before = mcp.requests.length;
    const connection = await connect({ headers: { "X-Api-Key": "mcp-secret" } });
    await connection.call("add", { a: 1, b: 1 });
    const seen = mcp.requests.slice(before).filter((request) => request.method === "POST");
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.every((request) => request.headers["x-api-key"] === "mcp-secret")).toBe(true);
  });

  it("offers only allow-listed tools", async () => {
    const connection = await connect({ tools: ["add", "missing"] });
    expect(connection.tools.map((tool) => tool.name)).toEqual(["add"]);
    await expect(connection.call("fail", {})).rejects.toThrow(new ToolError('MCP tool "fail" is not available'));
  });

  it("turns an isError result into a ToolError with its text", async () => {
    const connection = await connect();
    await expect(connection.call("fail", {})).rejects.toThrow(new ToolError("something broke"));
  });

  it("times out slow tools", async () => {
    const connection = await connect();
    await expect(connection.call("slow", {})).rejects.toThrow(new ToolError(`MCP tool "slow" timed out after ${TIMEOUT_MS} ms`));
  });

  it("caps MCP responses at TOOL_MAX_RESPONSE_BYTES", async () => {
    const connection = await connect();
    await expect(connection.call("big", {})).rejects.toThrow(/exceeds 4096 bytes/);
  });

  it("refuses MCP servers that are not allowed, before connecting", async () => {
    await expectRefusedBeforeConnecting(
      () => openMcpConnection({ url: `http://127.0.0.2:${new URL(mcp.url).port}/mcp` }),
      /Refusing to call 127\.0\.0\.2: loopback address/,
    );
    await expectRefusedBeforeConnecting(() => openMcpConnection({ url: "http://169.254.169.254/mcp" }), /cloud metadata/);
  });
});
