/**
 * Knowledge over real HTTP: documents and memories through the API (upload, replace, delete,
 * search, isolation, keys limited to some agents), the passages a run is given before its model
 * call and records in its trace, and the write_memory tool. On PGlite and PostgreSQL alike.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { chunkDocument, CHUNK_TARGET_CHARS } from "@/lib/knowledge/chunker";
import { startWorld, type World } from "./support/app";
import { createKey, createTenant } from "./support/fixtures";
import { serverTiming } from "./support/http";
import { expectDocumented } from "./support/openapi-contract";
import { minimalPdf } from "./support/pdf";
import { startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";

const MAX_DOCUMENT_BYTES = 20_000;
const MAX_PDF_PAGES = 3;

let upstream: ScriptedUpstream;
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme");
  const globex = await createTenant(db, "Globex");
  const scoped = await createKey(db, { orgId: acme.org.id, name: "scoped", agentIds: [acme.agent.id] });
  return { acme, globex, scopedKey: scoped.secret };
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
  list: Array<Record<string, unknown>>;
}

async function send(method: string, path: string, init: { key?: string; body?: BodyInit; contentType?: string }): Promise<Reply> {
  const response = await fetch(`${world.app.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${init.key ?? world.seeded.acme.key}`,
      ...(init.contentType ? { "Content-Type": init.contentType } : {}),
    },
    body: init.body,
  });
  const text = await response.text();
  expectDocumented(method, path, response, text);
  const parsed: unknown = text ? JSON.parse(text) : {};
  return {
    status: response.status,
    body: Array.isArray(parsed) ? {} : (parsed as Record<string, unknown>),
    list: Array.isArray(parsed) ? (parsed as Array<Record<string, unknown>>) : [],
  };
}

const call = (method: string, path: string, options: { key?: string; body?: unknown } = {}) =>
  send(method, path, {
    key: options.key,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    contentType: options.body === undefined ? undefined : "application/json",
  });

async function upload(path: string, content: string, contentType = "text/markdown", key?: string) {
  const response = await call("POST", "/api/v1/documents", { key, body: { path, content, content_type: contentType } });
  expect([200, 201], JSON.stringify(response.body)).toContain(response.status);
  return response.body as { id: string; path: string };
}

const search = (kind: "documents" | "memories", body: Record<string, unknown>, key?: string) =>
  call("POST", `/api/v1/${kind}/search`, { key, body });

async function createMemory(name: string) {
  const response = await call("POST", "/api/v1/memories", { body: { name } });
  expect(response.status).toBe(201);
  return response.body as { id: string };
}

async function createProvider() {
  const response = await call("POST", "/api/v1/ai-providers", {
    body: {
      name: "scripted",
      type: "openai_compatible",
      base_url: upstream.baseUrl,
      api_key: "sk-provider",
      default_model: "scripted-model",
    },
  });
  expect(response.status).toBe(201);
  return response.body as { id: string };
}

async function createAgent(knowledgeConfig: Record<string, unknown> | undefined) {
  const provider = await createProvider();
  const response = await call("POST", "/api/v1/agents", {
    body: { ai_provider_id: provider.id, instructions: "You answer support questions.", knowledge_config: knowledgeConfig },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string };
}

const generate = (agentId: string, content: string) =>
  call("POST", `/api/v1/agents/${agentId}/generate`, { body: { messages: [{ role: "user", content }] } });

/** The system text the model was sent on the given call to the upstream. */
function systemSent(requestIndex: number): string {
  const body = upstream.requests[requestIndex]!.body as { messages: Array<{ role: string; content: unknown }> };
  return body.messages
    .filter((message) => message.role === "system")
    .map((message) => String(message.content))
    .join("\n");
}

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  world = await startWorld({
    seed,
    env: {
      MODEL_MAX_RETRIES: "0",
      KEY_CACHE_TTL_MS: "0",
      TOOL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
      KNOWLEDGE_MAX_DOCUMENT_BYTES: String(MAX_DOCUMENT_BYTES),
      KNOWLEDGE_MAX_PDF_PAGES: String(MAX_PDF_PAGES),
    },
  });
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
});

beforeEach(() => upstream.reset());

describe("the chunker", () => {
  it("splits along headings and paragraphs, keeps each passage's heading path, and overlaps long sections", () => {
    const long = Array.from({ length: 60 }, (_, i) => `Sentence number ${i} about parcels.`).join(" ");
    const chunks = chunkDocument(
      `# Guide\n\nIntro.\n\n## Returns\n\n${long}\n\n\`\`\`\n# not a heading\n\`\`\`\n\n### Window\n\nThirty days.\n\n## Shipping\n\nFast.`,
      "text/markdown",
    );
    expect(chunks.map((chunk) => chunk.heading)).toEqual([
      "Guide",
      "Guide › Returns",
      "Guide › Returns",
      "Guide › Returns",
      "Guide › Returns › Window",
      "Guide › Shipping",
    ]);
    expect(chunks[3]!.content).toContain("# not a heading");
    const [first, second] = [chunks[1]!.content, chunks[2]!.content];
    expect(first.length).toBeLessThanOrEqual(CHUNK_TARGET_CHARS);
    // The next passage starts with the end of the one before.
    const overlap = second.split("\n\n")[0]!;
    expect(overlap.length).toBeGreaterThan(0);
    expect(overlap.length).toBeLessThanOrEqual(100);
    expect(first.endsWith(overlap)).toBe(true);
  });

  it("reads HTML's headings and paragraphs, and never the content of scripts or styles", () => {
    const chunks = chunkDocument(
      `<html><head><style>h1 { color: red }</style><script>const x = "<h1>injected</h1> secret";</script></head>` +
        `<body><h1>Policies</h1><p>Be kind &amp; fair.</p><h2>Refunds <em>now</em></h2><p>Within 30 days.</p></body></html>`,
      "text/html",
    );
    expect(chunks).toEqual([
      { heading: "Policies", content: "Be kind & fair." },
      { heading: "Policies › Refunds now", content: "Within 30 days." },
    ]);
  });
});

describe("documents", () => {
  it("uploads, lists, reads back and replaces a document at the same path, atomically and keeping its id", async () => {
    const created = await call("POST", "/api/v1/documents", {
      body: { path: "handbook/returns.md", content: "# Returns\n\nParcels may be returned within 30 days.", content_type: "text/markdown" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^doc_/), path: "handbook/returns.md", content_type: "text/markdown" });

    const replaced = await call("POST", "/api/v1/documents", {
      body: { path: "handbook/returns.md", content: "# Returns\n\nParcels may be returned within 45 days.", content_type: "text/markdown" },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.id).toBe(created.body.id);

    const read = await call("GET", `/api/v1/documents/${created.body.id as string}`);
    expect(read.body.content).toContain("45 days");
    const listed = await call("GET", "/api/v1/documents");
    expect(listed.list.filter((document) => document.path === "handbook/returns.md")).toHaveLength(1);

    const found = await search("documents", { query: "how many days to return parcels" });
    const passages = found.list.filter((passage) => passage.document_id === created.body.id);
    expect(passages.map((passage) => passage.content)).toEqual(["Parcels may be returned within 45 days."]);
    expect(passages[0]).toMatchObject({ citation: "handbook/returns.md › Returns", path: "handbook/returns.md", memory_id: null });
  });

  it("takes a multipart upload, telling HTML from the file's name", async () => {
    const form = new FormData();
    form.append(
      "file",
      new Blob(["<h1>Warranty</h1><p>Gadgets carry a quadrennial warranty.</p><script>var hidden = 'zyzzyva';</script>"]),
      "warranty.html",
    );
    form.append("path", "legal/warranty.html");
    const response = await send("POST", "/api/v1/documents", { body: form });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body).toMatchObject({ path: "legal/warranty.html", content_type: "text/html" });

    const found = await search("documents", { query: "quadrennial" });
    expect(found.list.map((passage) => passage.citation)).toEqual(["legal/warranty.html › Warranty"]);
    expect((await search("documents", { query: "zyzzyva" })).list).toEqual([]);
  });

  it("reads a PDF upload page by page: passages cite their page, and search finds its words", async () => {
    const form = new FormData();
    const pdf = minimalPdf([["Operating manual", "Switch the unit on."], ["Descaling: run vinegar through the boiler monthly."]]);
    form.append("file", new Blob([new Uint8Array(pdf)]), "manual.pdf");
    const response = await send("POST", "/api/v1/documents", { body: form });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body).toMatchObject({ path: "manual.pdf", content_type: "application/pdf" });

    const found = await search("documents", { query: "descaling vinegar" });
    expect(found.list.map((passage) => [passage.citation, passage.content])).toEqual([
      ["manual.pdf › p. 2", "Descaling: run vinegar through the boiler monthly."],
    ]);
    const read = await call("GET", `/api/v1/documents/${response.body.id as string}`);
    expect(read.body.content).toContain("Switch the unit on.");
  });

  it("refuses password-protected, damaged and overlong PDFs with a reason, storing nothing", async () => {
    const attempts: Array<[string, Buffer, RegExp]> = [
      ["locked.pdf", minimalPdf([["Secret plans"]], { encrypted: true }), /password/],
      ["damaged.pdf", Buffer.from("%PDF-1.4\nnot really a PDF"), /could not be read/],
      ["long.pdf", minimalPdf(Array.from({ length: MAX_PDF_PAGES + 1 }, (_, i) => [`Page ${i}`])), /at most 3/],
      ["blank.pdf", minimalPdf([[]]), /no text/],
    ];
    for (const [name, bytes, reason] of attempts) {
      const form = new FormData();
      form.append("file", new Blob([new Uint8Array(bytes)], { type: "application/pdf" }), name);
      const response = await send("POST", "/api/v1/documents", { body: form });
      expect(response.status, name).toBe(422);
      expect(JSON.stringify(response.body), name).toMatch(reason);
    }
    const paths = (await call("GET", "/api/v1/documents")).list.map((document) => document.path);
    for (const [name] of attempts) expect(paths).not.toContain(name);
  });

  it("refuses documents over the size cap, other media types and invalid bodies, storing nothing", async () => {
    const tooLarge = await call("POST", "/api/v1/documents", { body: { path: "big.txt", content: "x ".repeat(MAX_DOCUMENT_BYTES) } });
    expect(tooLarge.status).toBe(413);
    const form = new FormData();
    form.append("file", new Blob(["y ".repeat(MAX_DOCUMENT_BYTES)]), "big-upload.txt");
    expect((await send("POST", "/api/v1/documents", { body: form })).status).toBe(413);
    const pdf = await send("POST", "/api/v1/documents", { body: "%PDF-1.7", contentType: "application/pdf" });
    expect(pdf.status).toBe(415);
    const badType = await call("POST", "/api/v1/documents", { body: { path: "a.doc", content: "x", content_type: "application/msword" } });
    expect(badType.status).toBe(400);
    const noPath = await call("POST", "/api/v1/documents", { body: { content: "x" } });
    expect(noPath.status).toBe(400);
    const paths = (await call("GET", "/api/v1/documents")).list.map((document) => document.path);
    expect(paths).not.toContain("big.txt");
    expect(paths).not.toContain("big-upload.txt");
    expect(paths).not.toContain("a.doc");
  });

  it("honours min_score and limit", async () => {
    await upload("scores/strong.md", "# Lighthouse keeping\n\nLighthouse keepers tend the lighthouse lamp every night.");
    await upload(
      "scores/weak.md",
      "# Misc\n\nA long note that mentions a lighthouse once among many other words about weather, tides and boats.",
    );
    const all = await search("documents", { query: "lighthouse", document_paths: ["scores/"] });
    expect(all.list.map((passage) => passage.path)).toEqual(["scores/strong.md", "scores/weak.md"]);
    const [best, worst] = all.list.map((passage) => passage.score as number);
    expect(best).toBeGreaterThan(worst!);
    expect(best).toBeLessThanOrEqual(1);

    const threshold = (best! + worst!) / 2;
    const filtered = await search("documents", { query: "lighthouse", document_paths: ["scores/"], min_score: threshold });
    expect(filtered.list.map((passage) => passage.path)).toEqual(["scores/strong.md"]);
    const limited = await search("documents", { query: "lighthouse", document_paths: ["scores/"], limit: 1 });
    expect(limited.list).toHaveLength(1);
    expect((await search("documents", { query: "lighthouse", min_score: 2 })).status).toBe(400);
  });

  it("deleting a document removes its passages from search at once", async () => {
    const document = await upload("tmp/ephemeral.md", "The pangolin migration happens in spring.");
    expect((await search("documents", { query: "pangolin" })).list).toHaveLength(1);
    expect((await call("DELETE", `/api/v1/documents/${document.id}`)).status).toBe(204);
    expect((await search("documents", { query: "pangolin" })).list).toEqual([]);
    expect((await call("GET", `/api/v1/documents/${document.id}`)).status).toBe(404);
    expect((await call("DELETE", `/api/v1/documents/${document.id}`)).status).toBe(404);
  });
});

describe("memories", () => {
  it("stores tagged entries, searches them by tag and forgets deleted ones at once", async () => {
    const memory = await createMemory("customer notes");
    const add = (content: string, tags: string[]) => call("POST", `/api/v1/memories/${memory.id}/entries`, { body: { content, tags } });
    const billing = await add("Marguerite prefers invoices by post", ["billing"]);
    expect(billing.status).toBe(201);
    expect(billing.body).toMatchObject({
      id: expect.stringMatching(/^mem_entry_/),
      memory_id: memory.id,
      tags: ["billing"],
      generation_id: null,
    });
    await add("Marguerite's parcels go to the back door", ["delivery"]);

    const byTag = await search("memories", { query: "Marguerite", memory_tags: ["billing"] });
    expect(byTag.list.map((passage) => passage.content)).toEqual(["Marguerite prefers invoices by post"]);
    const byMemory = await search("memories", { query: "Marguerite", memory_ids: [memory.id] });
    expect(byMemory.list).toHaveLength(2);

    const entries = await call("GET", `/api/v1/memories/${memory.id}/entries`);
    expect(entries.list).toHaveLength(2);
    expect((await call("DELETE", `/api/v1/memories/${memory.id}/entries/${billing.body.id as string}`)).status).toBe(204);
    expect((await search("memories", { query: "invoices Marguerite", memory_tags: ["billing"] })).list).toEqual([]);

    expect((await call("DELETE", `/api/v1/memories/${memory.id}`)).status).toBe(204);
    expect((await search("memories", { query: "Marguerite", memory_ids: [memory.id] })).list).toEqual([]);
    expect((await call("GET", `/api/v1/memories/${memory.id}`)).status).toBe(404);
  });

  it("refuses empty entries and unknown memories", async () => {
    const memory = await createMemory("strict");
    expect((await call("POST", `/api/v1/memories/${memory.id}/entries`, { body: { content: "" } })).status).toBe(400);
    expect((await call("POST", "/api/v1/memories/mem_nope/entries", { body: { content: "x" } })).status).toBe(404);
    expect((await call("POST", "/api/v1/memories", { body: {} })).status).toBe(400);
  });
});

describe("isolation", () => {
  it("one organisation never sees, finds or deletes another's knowledge", async () => {
    const document = await upload("secret/plan.md", "The okapi project launches in March.");
    const memory = await createMemory("acme only");
    await call("POST", `/api/v1/memories/${memory.id}/entries`, { body: { content: "The okapi password rotates weekly" } });
    const globex = world.seeded.globex.key;

    expect((await call("GET", `/api/v1/documents/${document.id}`, { key: globex })).status).toBe(404);
    expect((await call("DELETE", `/api/v1/documents/${document.id}`, { key: globex })).status).toBe(404);
    expect((await call("GET", "/api/v1/documents", { key: globex })).list).toEqual([]);
    expect((await search("documents", { query: "okapi" }, globex)).list).toEqual([]);
    expect((await search("memories", { query: "okapi" }, globex)).list).toEqual([]);
    expect((await call("GET", `/api/v1/memories/${memory.id}/entries`, { key: globex })).status).toBe(404);
    expect((await call("POST", `/api/v1/memories/${memory.id}/entries`, { key: globex, body: { content: "x" } })).status).toBe(404);

    // The same path in another organisation is another document.
    const theirs = await upload("secret/plan.md", "Globex's own plan mentions okapi too.", "text/markdown", globex);
    expect(theirs.id).not.toBe(document.id);
    expect((await call("GET", `/api/v1/documents/${document.id}`)).body.content).toContain("March");
  });

  it("a key limited to some agents reads only what its agents' knowledge_config names, and changes nothing", async () => {
    const { acme, scopedKey } = world.seeded;
    const named = await upload("faq/named.md", "The capybara desk is on floor two.");
    await upload("private/other.md", "The capybara budget is confidential.");
    const memory = await createMemory("agent memory");
    const hidden = await createMemory("hidden memory");
    const configured = await call("PUT", `/api/v1/agents/${acme.agent.publicId}`, {
      body: { knowledge_config: { document_paths: ["faq/"], write_memory_id: memory.id } },
    });
    expect(configured.status, JSON.stringify(configured.body)).toBe(200);

    const found = await search("documents", { query: "capybara" }, scopedKey);
    expect(found.list.map((passage) => passage.path)).toEqual(["faq/named.md"]);
    expect((await call("GET", "/api/v1/documents", { key: scopedKey })).list.map((document) => document.path)).toEqual(["faq/named.md"]);
    expect((await call("GET", `/api/v1/documents/${named.id}`, { key: scopedKey })).status).toBe(200);
    expect((await call("GET", "/api/v1/memories", { key: scopedKey })).list.map((item) => item.id)).toEqual([memory.id]);
    expect((await call("GET", `/api/v1/memories/${hidden.id}`, { key: scopedKey })).status).toBe(404);

    expect((await call("POST", "/api/v1/documents", { key: scopedKey, body: { path: "x.md", content: "x" } })).status).toBe(403);
    expect((await call("DELETE", `/api/v1/documents/${named.id}`, { key: scopedKey })).status).toBe(403);
    expect((await call("POST", `/api/v1/memories/${memory.id}/entries`, { key: scopedKey, body: { content: "x" } })).status).toBe(403);
  });
});

describe("knowledge in runs", () => {
  it("gives the model the passage only a keyword finds, cites its source, and records it in the trace", async () => {
    await upload(
      "runbooks/escalation.md",
      "# Escalation\n\n## Night shift\n\nOutside office hours, page the on-call engineer with code word QUOKKA-7.\n\n## Day shift\n\nAsk in the team channel.",
    );
    await upload("runbooks/unrelated.md", "# Holidays\n\nThe office closes on public holidays.");
    const agent = await createAgent({ document_paths: ["runbooks/"], limit: 2, min_score: 0.05 });
    upstream.script({ content: "Page the on-call engineer with QUOKKA-7 [1]." });

    const response = await generate(agent.id, "Which code word do I use to page on-call at night?");
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.text).toBe("Page the on-call engineer with QUOKKA-7 [1].");

    const system = systemSent(0);
    expect(system).toContain("You answer support questions.");
    expect(system).toContain("Knowledge:");
    expect(system).toContain("[1] runbooks/escalation.md › Escalation › Night shift");
    expect(system).toContain("QUOKKA-7");
    expect(system).not.toContain("public holidays");

    const trace = await call("GET", `/api/v1/agents/traces/${response.body.trace_id as string}`);
    const steps = (trace.body.generations as Array<{ steps: Array<Record<string, unknown>> }>)[0]!.steps;
    expect(steps.map((step) => step.type)).toEqual(["retrieval", "model"]);
    expect(steps[0]).toMatchObject({
      name: "knowledge",
      args: { query: "Which code word do I use to page on-call at night?", limit: 2, min_score: 0.05 },
    });
    const passages = (steps[0]!.result as { passages: Array<Record<string, unknown>> }).passages;
    expect(passages[0]).toMatchObject({
      n: 1,
      citation: "runbooks/escalation.md › Escalation › Night shift",
      source: { type: "document", path: "runbooks/escalation.md", heading: "Escalation › Night shift" },
    });
    expect(passages[0]!.score).toBeGreaterThanOrEqual(0.05);
    expect(passages[0]!.chunk_id).toEqual(expect.any(String));
  });

  it("retrieves through every door: the OpenAI-compatible API too, its time in Server-Timing", async () => {
    await upload("door/facts.md", "The wombat exhibit opens at nine.");
    const agent = await createAgent({ document_paths: ["door/facts.md"] });
    const completion = (model: string) =>
      fetch(`${world.app.url}/api/openai/v1/chat/completions`, {
        method: "POST",
        headers: { Authorization: `Bearer ${world.seeded.acme.key}`, "Content-Type": "application/json" },
        body: JSON.stringify({ model, messages: [{ role: "user", content: "When does the wombat exhibit open?" }] }),
      });
    upstream.script({ content: "Nine." });
    const response = await completion(agent.id);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(systemSent(0)).toContain("[1] door/facts.md");
    // Retrieval is part of Conduit's own time, reported apart.
    const timing = serverTiming(response.headers);
    expect(timing.retrieval).toBeGreaterThan(0);
    expect(timing.retrieval).toBeLessThanOrEqual(timing.gateway! + 0.01);

    upstream.script({ content: "Nine." });
    const withoutKnowledge = await completion((await createAgent(undefined)).id);
    expect(withoutKnowledge.status).toBe(200);
    expect(serverTiming(withoutKnowledge.headers).retrieval).toBeUndefined();
  });

  it("adds nothing when knowledge_config names no knowledge", async () => {
    const agent = await createAgent(undefined);
    upstream.script({ content: "Hi." });
    const response = await generate(agent.id, "What is the QUOKKA-7 code word?");
    expect(response.status).toBe(200);
    expect(systemSent(0)).not.toContain("Knowledge:");
    const trace = await call("GET", `/api/v1/agents/traces/${response.body.trace_id as string}`);
    const steps = (trace.body.generations as Array<{ steps: Array<Record<string, unknown>> }>)[0]!.steps;
    expect(steps.map((step) => step.type)).toEqual(["model"]);
  });

  it("write_memory stores an entry that a later run retrieves", async () => {
    const memory = await createMemory("learned");
    const writer = await createAgent({ write_memory_id: memory.id });
    upstream.script(
      {
        toolCalls: [
          {
            id: "call_m1",
            name: "write_memory",
            arguments: JSON.stringify({ content: "Customer Ottoline ships to Reykjavik", tags: ["shipping"] }),
          },
        ],
      },
      { content: "Noted." },
    );
    const first = await generate(writer.id, "Remember that I ship to Reykjavik. I am Ottoline.");
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.text).toBe("Noted.");
    const offered = (upstream.requests[0]!.body as { tools?: Array<{ function: { name: string } }> }).tools ?? [];
    expect(offered.map((tool) => tool.function.name)).toContain("write_memory");

    const entries = await call("GET", `/api/v1/memories/${memory.id}/entries`);
    expect(entries.list).toEqual([
      expect.objectContaining({ content: "Customer Ottoline ships to Reykjavik", tags: ["shipping"], generation_id: first.body.id }),
    ]);

    const reader = await createAgent({ memory_ids: [memory.id] });
    upstream.script({ content: "To Reykjavik." });
    const second = await generate(reader.id, "Where does Ottoline ship to?");
    expect(second.status).toBe(200);
    expect(systemSent(2)).toContain("Customer Ottoline ships to Reykjavik");
    expect(systemSent(2)).toContain(`[1] memory ${memory.id}`);
  });

  it("write_memory into a memory that is gone fails the tool call, not the run", async () => {
    const memory = await createMemory("short-lived");
    const writer = await createAgent({ write_memory_id: memory.id });
    expect((await call("DELETE", `/api/v1/memories/${memory.id}`)).status).toBe(204);
    upstream.script(
      { toolCalls: [{ id: "call_m2", name: "write_memory", arguments: JSON.stringify({ content: "lost" }) }] },
      { content: "Could not save." },
    );
    const response = await generate(writer.id, "Remember this");
    expect(response.status).toBe(200);
    const toolMessage = (upstream.requests[1]!.body as { messages: Array<{ role: string; content: unknown }> }).messages.find(
      (message) => message.role === "tool",
    );
    expect(String(toolMessage?.content)).toContain("Memory not found");
  });
});
