/**
 * Knowledge by meaning, over real HTTP: passages and queries embedded by the organisation's
 * provider (the scripted upstream's deterministic /v1/embeddings), found by vector search and
 * fused with full text by reciprocal rank. PGlite always has pgvector; a PostgreSQL server
 * without it falls back to full text, says so at start, and in every search and trace.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { rowsOf, type Db } from "@/lib/db";
import { launchApp, startWorld, type RunningApp, type World } from "./support/app";
import { createBudgetedKey, createMember, createTenant } from "./support/fixtures";
import { expectDocumented } from "./support/openapi-contract";
import { scriptedEmbedding, startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";
import { poll } from "./support/poll";

const EMBEDDING_MODEL = "scripted-embedding";
/** Reciprocal-rank fusion's constant, as documented: a score of 1 is first in both rankings. */
const RRF_K = 60;

let upstream: ScriptedUpstream;
let world: World<Awaited<ReturnType<typeof seed>>>;
/** The server the tests talk to: the world's, or the one started again with other settings. */
let app: RunningApp;
/** Whether this database has pgvector: PGlite always; a PostgreSQL server when it is installed. */
let vectors: boolean;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme");
  const globex = await createTenant(db, "Globex");
  const initech = await createTenant(db, "Initech");
  // Acme's key with a budget of one cent in total, made by the admin who reads its spending.
  const admin = await createMember(db, acme.org.id, "knowledge-admin@example.com");
  const budgeted = await createBudgetedKey(db, {
    orgId: acme.org.id,
    name: "budgeted",
    createdByUserId: admin.userId,
    budgetUsdCents: 1,
    budgetPeriod: "total",
  });
  return { acme, globex, initech, budgeted, adminToken: admin.token };
}

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  list: Array<Record<string, unknown>>;
}

async function call(method: string, path: string, options: { key?: string; body?: unknown } = {}): Promise<Reply> {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${options.key ?? world.seeded.acme.key}`,
      ...(options.body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  expectDocumented(method, path, response, text);
  const parsed: unknown = text ? JSON.parse(text) : {};
  return {
    status: response.status,
    headers: response.headers,
    body: Array.isArray(parsed) ? {} : (parsed as Record<string, unknown>),
    list: Array.isArray(parsed) ? (parsed as Array<Record<string, unknown>>) : [],
  };
}

async function upload(path: string, content: string, key?: string) {
  const response = await call("POST", "/api/v1/documents", { key, body: { path, content, content_type: "text/markdown" } });
  expect([200, 201], JSON.stringify(response.body)).toContain(response.status);
  return response.body as { id: string };
}

async function createProvider(key: string, embeddingModel?: string) {
  const response = await call("POST", "/api/v1/ai-providers", {
    key,
    body: {
      name: "scripted",
      type: "openai_compatible",
      base_url: upstream.baseUrl,
      api_key: "sk-provider",
      default_model: "scripted-model",
      ...(embeddingModel ? { embedding_model: embeddingModel } : {}),
    },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; embedding_model: string | null };
}

async function createAgent(knowledgeConfig: Record<string, unknown>) {
  const provider = await createProvider(world.seeded.acme.key);
  const response = await call("POST", "/api/v1/agents", {
    body: { ai_provider_id: provider.id, instructions: "You answer questions.", knowledge_config: knowledgeConfig },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string };
}

const searchDocuments = (body: Record<string, unknown>, key?: string) => call("POST", "/api/v1/documents/search", { key, body });

/** The system text the model was sent on the given chat call. */
function systemSent(requestIndex: number): string {
  const body = upstream.requests[requestIndex]!.body as { messages: Array<{ role: string; content: unknown }> };
  return body.messages
    .filter((message) => message.role === "system")
    .map((message) => String(message.content))
    .join("\n");
}

async function retrievalStep(traceId: string) {
  const trace = await call("GET", `/api/v1/agents/traces/${traceId}`);
  const steps = (trace.body.generations as Array<{ steps: Array<Record<string, unknown>> }>)[0]!.steps;
  const step = steps.find((candidate) => candidate.type === "retrieval");
  expect(step).toBeDefined();
  return step!.result as { mode: string; fallback?: string; passages: Array<Record<string, unknown>> };
}

const cosine = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);
const similarity = (text: string, query: string) => Math.max(0, cosine(scriptedEmbedding(text), scriptedEmbedding(query)));
/** The fused score of a passage at these 1-based ranks (null: not found by that ranking). */
const fusedScore = (...ranks: Array<number | null>) =>
  ranks.reduce<number>((sum, rank) => sum + (rank === null ? 0 : 1 / (RRF_K + rank)), 0) / (2 / (RRF_K + 1));

const embeddedInputs = () => upstream.embeddingRequests.map((request) => (request.body as { input: string[] | string }).input);

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  world = await startWorld({
    seed,
    env: {
      MODEL_MAX_RETRIES: "0",
      KEY_CACHE_TTL_MS: "0",
      TOOL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
      // A backfill's attempts and its next run after them, in a test's time.
      JOB_RETRY_BASE_MS: "20",
      KNOWLEDGE_BACKFILL_RETRY_MS: "300",
    },
  });
  app = world.app;
  if (world.db === null) vectors = true;
  else {
    const [row] = await rowsOf<{ installed: boolean }>(
      world.db,
      sql`select exists (select 1 from pg_available_extensions where name = 'vector') as installed`,
    );
    vectors = Boolean(row?.installed);
  }
  // Acme's knowledge is embedded with its first provider that names an embedding model.
  expect((await createProvider(world.seeded.acme.key)).embedding_model).toBeNull();
  expect((await createProvider(world.seeded.acme.key, EMBEDDING_MODEL)).embedding_model).toBe(EMBEDDING_MODEL);
});

afterAll(async () => {
  if (app && app !== world?.app) await app.stop();
  await world?.close();
  await upstream?.close();
});

beforeEach(() => upstream.reset());

describe("embedding passages", () => {
  it("embeds a document's passages (headings included) in one batched call, and a memory entry when it is written", async (context) => {
    if (!vectors) context.skip();
    await upload("embed/guide.md", "# Guide\n\n## Returns\n\nParcels come back within thirty days.\n\n## Shipping\n\nParcels leave daily.");
    expect(upstream.embeddingRequests).toHaveLength(1);
    expect(upstream.embeddingRequests[0]!.body).toMatchObject({ model: EMBEDDING_MODEL });
    expect(embeddedInputs()[0]).toEqual([
      "Guide › Returns\nParcels come back within thirty days.",
      "Guide › Shipping\nParcels leave daily.",
    ]);

    const memory = await call("POST", "/api/v1/memories", { body: { name: "notes" } });
    await call("POST", `/api/v1/memories/${memory.body.id as string}/entries`, { body: { content: "The vehicle is blue." } });
    expect(embeddedInputs()[1]).toEqual(["The vehicle is blue."]);
    const found = await call("POST", "/api/v1/memories/search", {
      body: { query: "what colour is the car", mode: "vector", memory_ids: [memory.body.id] },
    });
    expect(found.headers.get("conduit-retrieval-mode")).toBe("vector");
    expect(found.list.map((entry) => entry.content)).toEqual(["The vehicle is blue."]);
  });

  it("keeps an upload whose embedding call fails searchable by full text, and embeds it in the background", async (context) => {
    if (!vectors) context.skip();
    upstream.failEmbeddings(1);
    const document = await upload("embed/failed.md", "Automobile insurance renews every March.");
    const byWords = await searchDocuments({ query: "insurance", mode: "fulltext", document_paths: ["embed/failed.md"] });
    expect(byWords.list.map((passage) => passage.document_id)).toEqual([document.id]);
    // The upload's call failed; the backfill job's call embeds the passage, found by meaning from then on.
    const byMeaning = await poll(
      () => searchDocuments({ query: "car insurance", mode: "vector", document_paths: ["embed/failed.md"] }),
      (reply) => reply.list.length > 0,
    );
    expect(byMeaning.list.map((passage) => passage.document_id)).toEqual([document.id]);
    const passageCalls = embeddedInputs().filter(
      (input) => Array.isArray(input) && input.includes("Automobile insurance renews every March."),
    );
    expect(passageCalls).toHaveLength(2);
  });

  it("embeds an upload stored during an outage that outlasts the backfill's attempts, once the provider is back", async (context) => {
    if (!vectors) context.skip();
    // The upload's call and all five of the backfill job's attempts fail (nothing else is embedded meanwhile).
    upstream.failEmbeddings(6);
    const document = await upload("embed/outage.md", "Forklifts are serviced every April.");
    const sent = () => embeddedInputs().filter((input) => JSON.stringify(input).includes("Forklifts")).length;
    // The job gives up after its attempts and is queued again (KNOWLEDGE_BACKFILL_RETRY_MS later): a seventh call.
    expect(
      await poll(
        async () => sent(),
        (calls) => calls >= 7,
      ),
    ).toBe(7);
    const byMeaning = await poll(
      () => searchDocuments({ query: "forklift service", mode: "vector", document_paths: ["embed/outage.md"] }),
      (reply) => reply.list.length > 0,
    );
    expect(byMeaning.headers.get("conduit-retrieval-mode")).toBe("vector");
    expect(byMeaning.list.map((passage) => passage.document_id)).toEqual([document.id]);
  });
});

describe("passages the embedding model refuses", () => {
  const long = "Refunds for damaged bicycles are granted within fourteen days of delivery, with the receipt.";
  const shop = `# Shop\n\n## Hours\n\nOpen daily.\n\n## Refunds\n\n${long}\n\n## Address\n\nHigh street nine.`;
  const callsWithLong = () => embeddedInputs().filter((input) => JSON.stringify(input).includes(long)).length;
  const contents = (reply: Reply) => reply.list.map((passage) => passage.content);

  it("embeds the rest of an upload, keeps the refused passage to full text, and the backfill never sends it again", async (context) => {
    if (!vectors) context.skip();
    // A model with a short context: the refunds passage (with its headings) is too long for it.
    upstream.limitEmbeddingInput(60);
    await upload("refused/shop.md", shop);
    const byMeaning = await searchDocuments({ query: "open daily", mode: "vector", document_paths: ["refused/shop.md"] });
    expect(contents(byMeaning)).toContain("Open daily.");
    expect(contents(byMeaning)).not.toContain(long);
    const byWords = await searchDocuments({ query: "bicycles", mode: "fulltext", document_paths: ["refused/shop.md"] });
    expect(contents(byWords)).toEqual([long]);

    // Stored while the provider failed: the backfill finds the refused passage among the others.
    upstream.failEmbeddings(1);
    await upload("refused/branch.md", shop.replace("Open daily.", "Open on weekdays."));
    await poll(
      () => searchDocuments({ query: "open weekdays", mode: "vector", document_paths: ["refused/branch.md"] }),
      (reply) => contents(reply).includes("Open on weekdays."),
    );
    const sent = callsWithLong();

    // Later backfills skip both refused passages: another stored-while-failing upload is embedded alone.
    upstream.failEmbeddings(1);
    await upload("refused/note.md", "Parcels leave on Tuesdays.");
    await poll(
      () => searchDocuments({ query: "parcels tuesdays", mode: "vector", document_paths: ["refused/note.md"] }),
      (reply) => reply.list.length > 0,
    );
    expect(callsWithLong()).toBe(sent);
  });

  it("treats a model that refuses even a one-word text as failing, not as refusing each passage", async (context) => {
    if (!vectors) context.skip();
    upstream.limitEmbeddingInput(1);
    // The budgeted key's upload is refused whole (nothing stored), after the batch and one probe: no halving.
    const refused = await call("POST", "/api/v1/documents", {
      key: world.seeded.budgeted.secret,
      body: { path: "refused/all.md", content: shop, content_type: "text/markdown" },
    });
    expect(refused.status).toBe(502);
    expect(embeddedInputs()).toEqual([expect.arrayContaining([expect.stringContaining(long)]), ["probe"]]);
  });
});

describe("hybrid search", () => {
  const first = "# Car repair\n\nCar repair costs forty euros.";
  const second = "Vehicles are mended in the workshop.";
  const query = "car repair";

  it("fuses full text and vectors by reciprocal rank; each mode alone; min_score within each ranking", async (context) => {
    if (!vectors) context.skip();
    const a = await upload("ranking/prices.md", first);
    const b = await upload("ranking/workshop.md", second);
    const filter = { document_paths: ["ranking/"] };

    const hybrid = await searchDocuments({ query, ...filter });
    expect(hybrid.headers.get("conduit-retrieval-mode")).toBe("hybrid");
    expect(hybrid.headers.get("conduit-retrieval-fallback")).toBeNull();
    const [withWords, withMeaning] = [similarity("Car repair\nCar repair costs forty euros.", query), similarity(second, query)];
    // The first is found by both rankings; the second, sharing no word with the query, by vectors only.
    expect(withMeaning).toBeGreaterThan(0.5);
    const vectorRanks = withWords >= withMeaning ? [1, 2] : [2, 1];
    expect(hybrid.list.map((passage) => passage.document_id)).toEqual([a.id, b.id]);
    expect(hybrid.list[0]!.score).toBeCloseTo(fusedScore(1, vectorRanks[0]!), 6);
    expect(hybrid.list[1]!.score).toBeCloseTo(fusedScore(null, vectorRanks[1]!), 6);

    const fullText = await searchDocuments({ query, mode: "fulltext", ...filter });
    expect(fullText.headers.get("conduit-retrieval-mode")).toBe("fulltext");
    expect(fullText.list.map((passage) => passage.document_id)).toEqual([a.id]);

    const byMeaning = await searchDocuments({ query, mode: "vector", ...filter });
    expect(byMeaning.headers.get("conduit-retrieval-mode")).toBe("vector");
    const scores = Object.fromEntries(byMeaning.list.map((passage) => [passage.document_id as string, passage.score as number]));
    expect(scores[a.id]).toBeCloseTo(withWords, 5);
    expect(scores[b.id]).toBeCloseTo(withMeaning, 5);

    // A bar between the two similarities keeps the closer passage only, in vector and hybrid search alike.
    const bar = (withWords + withMeaning) / 2;
    const closer = withWords > withMeaning ? a.id : b.id;
    const barred = await searchDocuments({ query, mode: "vector", min_score: bar, ...filter });
    expect(barred.list.map((passage) => passage.document_id)).toEqual([closer]);
    const barredHybrid = await searchDocuments({ query, min_score: 0.99, ...filter });
    expect(barredHybrid.list).toEqual([]);

    expect((await searchDocuments({ query, limit: 1, ...filter })).list.map((passage) => passage.document_id)).toEqual([a.id]);
    expect((await searchDocuments({ query, mode: "semantic" })).status).toBe(400);
  });

  it("falls back to full text where PostgreSQL has no pgvector: at start, in the search's headers", async (context) => {
    if (vectors) context.skip();
    expect(world.app.output()).toContain("knowledge retrieval is full-text only");
    const a = await upload("fallback/prices.md", first);
    await upload("fallback/workshop.md", second);
    expect(upstream.embeddingRequests).toEqual([]);
    for (const mode of [undefined, "hybrid", "vector"]) {
      const found = await searchDocuments({ query, mode, document_paths: ["fallback/"] });
      expect(found.status).toBe(200);
      expect(found.headers.get("conduit-retrieval-mode")).toBe("fulltext");
      expect(found.headers.get("conduit-retrieval-fallback")).toBe("pgvector is not installed on this database");
      expect(found.list.map((passage) => passage.document_id)).toEqual([a.id]);
    }
    expect(upstream.embeddingRequests).toEqual([]);
  });
});

describe("approximate vector search", () => {
  it("finds passages by meaning when a search is narrowed to a few among many closer ones", async (context) => {
    if (!vectors) context.skip();
    // More passages closer to the query than the index visits at first (hnsw.ef_search, 40 by default), all outside the selection.
    await upload("narrow/crowd.md", Array.from({ length: 150 }, () => "## Car repair\n\nCar repair, car repair.").join("\n\n"));
    const target = await upload("narrow/target.md", "Vehicles are mended in the workshop.");

    const everything = await searchDocuments({ query: "car repair", mode: "vector", limit: 20, document_paths: ["narrow/"] });
    expect(everything.list).toHaveLength(20);
    expect(everything.list.map((passage) => passage.document_id)).not.toContain(target.id);

    const narrowed = await searchDocuments({ query: "car repair", mode: "vector", document_paths: ["narrow/target.md"] });
    expect(narrowed.headers.get("conduit-retrieval-mode")).toBe("vector");
    expect(narrowed.list.map((passage) => passage.document_id)).toEqual([target.id]);
    expect(narrowed.list[0]!.score).toBeCloseTo(similarity("Vehicles are mended in the workshop.", "car repair"), 5);
  });
});

describe("knowledge by meaning in runs", () => {
  const passage = "# Workshop\n\nAutomobile repairs are done by the garage within two days.";
  const question = "How long until my car gets fixed?";

  it("answers from a passage that shares no word with the question, embedding the question once", async (context) => {
    if (!vectors) context.skip();
    await upload("meaning/workshop.md", passage);
    await upload("meaning/office.md", "# Office\n\nThe office closes on public holidays.");
    const agent = await createAgent({ document_paths: ["meaning/"], limit: 1 });
    // No shared word: full text alone finds nothing.
    const byWords = await searchDocuments({ query: question, mode: "fulltext", document_paths: ["meaning/"] });
    expect(byWords.list).toEqual([]);

    upstream.reset();
    upstream.script({ content: "Within two days [1]." });
    const response = await call("POST", `/api/v1/agents/${agent.id}/generate`, {
      body: { messages: [{ role: "user", content: question }] },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(systemSent(0)).toContain("[1] meaning/workshop.md › Workshop\nAutomobile repairs are done by the garage within two days.");
    expect(systemSent(0)).not.toContain("public holidays");
    expect(embeddedInputs()).toEqual([[question]]);

    const step = await retrievalStep(response.body.trace_id as string);
    expect(step.mode).toBe("hybrid");
    expect(step.fallback).toBeUndefined();
    expect(step.passages.map((traced) => traced.citation)).toEqual(["meaning/workshop.md › Workshop"]);
  });

  it("runs full text only, with no embedding call, for an agent whose knowledge_config asks for it", async (context) => {
    if (!vectors) context.skip();
    await upload("meaning-words/workshop.md", passage);
    const agent = await createAgent({ document_paths: ["meaning-words/"], mode: "fulltext" });
    upstream.reset();
    upstream.script({ content: "I do not know." });
    const response = await call("POST", `/api/v1/agents/${agent.id}/generate`, {
      body: { messages: [{ role: "user", content: question }] },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(systemSent(0)).not.toContain("Knowledge:");
    expect(upstream.embeddingRequests).toEqual([]);
    const step = await retrievalStep(response.body.trace_id as string);
    expect(step).toMatchObject({ mode: "fulltext", passages: [] });
    expect(step.fallback).toBeUndefined();
  });

  it("falls back to full text when the question cannot be embedded, and the trace says why", async (context) => {
    if (!vectors) context.skip();
    await upload("meaning-down/workshop.md", passage);
    const agent = await createAgent({ document_paths: ["meaning-down/"] });
    upstream.reset();
    upstream.failEmbeddings(1);
    upstream.script({ content: "I do not know." });
    const response = await call("POST", `/api/v1/agents/${agent.id}/generate`, {
      body: { messages: [{ role: "user", content: question }] },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(systemSent(0)).not.toContain("Knowledge:");
    const step = await retrievalStep(response.body.trace_id as string);
    expect(step.mode).toBe("fulltext");
    expect(step.fallback).toMatch(/^the query could not be embedded/);
  });

  it("records the full-text fallback in the trace where PostgreSQL has no pgvector", async (context) => {
    if (vectors) context.skip();
    await upload("nopgvector/workshop.md", passage);
    await upload("nopgvector/keyword.md", "# Workshop hours\n\nThe workshop repairs cars on weekdays.");
    const agent = await createAgent({ document_paths: ["nopgvector/"] });
    upstream.script({ content: "Weekdays [1]." });
    const response = await call("POST", `/api/v1/agents/${agent.id}/generate`, {
      body: { messages: [{ role: "user", content: "When does the workshop repair cars?" }] },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(systemSent(0)).toContain("[1] nopgvector/keyword.md › Workshop hours");
    const step = await retrievalStep(response.body.trace_id as string);
    expect(step).toMatchObject({ mode: "fulltext", fallback: "pgvector is not installed on this database" });
    expect(upstream.embeddingRequests).toEqual([]);
  });
});

describe("paying for embeddings", () => {
  /** The budgeted key's spending as the key details API reports it. */
  async function spending() {
    const response = await fetch(`${app.url}/api/api-keys/${world.seeded.budgeted.publicId}`, {
      headers: { Authorization: `Bearer ${world.seeded.adminToken}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { usage: { input_tokens: number; requests: number; reserved_usd_cents: number } }).usage;
  }

  it("charges a key the tokens its uploads' and searches' embeddings use, and refuses what its budget cannot cover", async (context) => {
    if (!vectors) context.skip();
    const key = world.seeded.budgeted.secret;
    const before = await spending();
    // Two passages; the scripted upstream reports a token per text embedded.
    await upload("paid/fleet.md", "# Fleet\n\n## Cars\n\nCars are washed on Fridays.\n\n## Vans\n\nVans are washed on Mondays.", key);
    const found = await searchDocuments({ query: "car wash", mode: "vector", document_paths: ["paid/"] }, key);
    expect(found.headers.get("conduit-retrieval-mode")).toBe("vector");
    const after = await spending();
    expect(after.input_tokens).toBe(before.input_tokens + 3);
    // Embeddings are not requests, and their reservations are given back once charged.
    expect(after.requests).toBe(before.requests);
    expect(after.reserved_usd_cents).toBe(0);

    // A token per byte at an unpriced model's rate: 5,000 bytes could cost more than the whole cent.
    upstream.reset();
    const refused = await call("POST", "/api/v1/documents", {
      key,
      body: { path: "paid/long.md", content: "word ".repeat(1000), content_type: "text/markdown" },
    });
    expect(refused.status).toBe(429);
    expect(upstream.embeddingRequests).toEqual([]);
    const listed = await call("GET", "/api/v1/documents", { key });
    expect(listed.list.map((document) => document.path)).not.toContain("paid/long.md");
  });

  it("stores nothing for a key with a budget whose embedding call fails: the background embedding would be paid beyond its budget", async (context) => {
    if (!vectors) context.skip();
    const key = world.seeded.budgeted.secret;
    const before = await spending();
    const content = "Trucks are washed on Sundays.";
    upstream.failEmbeddings(1);
    const refused = await call("POST", "/api/v1/documents", {
      key,
      body: { path: "paid/outage.md", content, content_type: "text/markdown" },
    });
    expect(refused.status).toBe(502);
    expect(refused.body.error).toContain("nothing was stored");
    const memory = await call("POST", "/api/v1/memories", { body: { name: "paid notes" } });
    upstream.failEmbeddings(1);
    const entry = await call("POST", `/api/v1/memories/${memory.body.id as string}/entries`, { key, body: { content } });
    expect(entry.status).toBe(502);
    expect(upstream.embeddingRequests).toHaveLength(2);

    // Nothing stored, so nothing for the background to embed; the reservations were given back.
    const listed = await call("GET", "/api/v1/documents", { key });
    expect(listed.list.map((document) => document.path)).not.toContain("paid/outage.md");
    expect((await call("GET", `/api/v1/memories/${memory.body.id as string}/entries`)).list).toEqual([]);
    const after = await spending();
    expect(after.input_tokens).toBe(before.input_tokens);
    expect(after.reserved_usd_cents).toBe(0);

    // Once the provider answers, the same upload is stored and paid by the key.
    await upload("paid/outage.md", content, key);
    expect((await spending()).input_tokens).toBe(before.input_tokens + 1);
    expect(upstream.embeddingRequests).toHaveLength(3);
  });
});

describe("isolation", () => {
  it("never finds another organisation's passages by meaning, and embeds each with its own provider", async (context) => {
    if (!vectors) context.skip();
    const globexKey = world.seeded.globex.key;
    const folders = { document_paths: ["acme-only/", "globex/"] };
    const globexByMeaning = () => searchDocuments({ query: "car repair", mode: "vector", limit: 50, ...folders }, globexKey);
    // Stored before Globex has an embedding model: no embedding call, found by full text only.
    const cars = await upload("globex/cars.md", "Automobile repairs by the Globex garage.", globexKey);
    expect(upstream.embeddingRequests).toEqual([]);
    expect((await globexByMeaning()).headers.get("conduit-retrieval-fallback")).toBe("no embedding model is configured");

    // Once Globex names one, new passages are embedded with Globex's own provider, never Acme's,
    // and those stored before are embedded by the backfill job.
    const provider = await createProvider(globexKey, "globex-embedding");
    const own = await upload("globex/vehicles.md", "Vehicles mended by the Globex workshop.", globexKey);
    const fromGlobex = await poll(globexByMeaning, (reply) => reply.list.length === 2);
    expect(fromGlobex.headers.get("conduit-retrieval-mode")).toBe("vector");
    expect(fromGlobex.list.map((passage) => passage.document_id).sort()).toEqual([cars.id, own.id].sort());
    const models = () => new Set(upstream.embeddingRequests.map((request) => (request.body as { model: string }).model));
    expect(models()).toEqual(new Set(["globex-embedding"]));
    expect(embeddedInputs()).toContainEqual(["Automobile repairs by the Globex garage."]);

    const acmeDocument = await upload("acme-only/cars.md", "Automobile repairs by the Acme garage.");
    // Naming the other organisation's folder too: paths select within one's own organisation only.
    const fromAcme = await searchDocuments({ query: "car repair", mode: "vector", limit: 50, ...folders });
    expect(fromAcme.list.map((passage) => passage.document_id)).toEqual([acmeDocument.id]);

    // Another embedding model: a search compares only passages of its space, so they are all embedded again.
    upstream.reset();
    const changed = await call("PUT", `/api/v1/ai-providers/${provider.id}`, {
      key: globexKey,
      body: { embedding_model: "globex-embedding-2" },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const again = await poll(globexByMeaning, (reply) => reply.list.length === 2);
    expect(again.list.map((passage) => passage.document_id).sort()).toEqual([cars.id, own.id].sort());
    expect(models()).toEqual(new Set(["globex-embedding-2"]));
    const backfilled = upstream.embeddingRequests.flatMap((request) => (request.body as { input: string[] }).input).sort();
    expect(backfilled).toEqual(
      expect.arrayContaining(["Automobile repairs by the Globex garage.", "Vehicles mended by the Globex workshop."]),
    );
  });
});

describe("embedding backfill at start", () => {
  it("embeds passages stored before the deployment had an embedding model, once it starts with one", async (context) => {
    if (!vectors) context.skip();
    const initechKey = world.seeded.initech.key;
    const byMeaning = () => searchDocuments({ query: "car repair", mode: "vector", document_paths: ["fleet/"] }, initechKey);
    const document = await upload("fleet/cars.md", "Automobile repairs are booked on Mondays.", initechKey);
    expect((await byMeaning()).headers.get("conduit-retrieval-fallback")).toBe("no embedding model is configured");

    // The same database, started again with a deployment-wide embedding model.
    await world.app.stop();
    app = await launchApp({
      ...world.app.env,
      OPENAI_BASE_URL: upstream.baseUrl,
      OPENAI_API_KEY: "sk-deployment",
      EMBEDDING_MODEL: "deployment-embedding",
    });
    const found = await poll(byMeaning, (reply) => reply.list.length > 0);
    expect(found.headers.get("conduit-retrieval-mode")).toBe("vector");
    expect(found.list.map((passage) => passage.document_id)).toEqual([document.id]);
    const backfill = upstream.embeddingRequests.find((request) =>
      (request.body as { input: string[] }).input.includes("Automobile repairs are booked on Mondays."),
    );
    expect(backfill?.body).toMatchObject({ model: "deployment-embedding" });
  });
});
