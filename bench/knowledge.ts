/**
 * `npm run bench:knowledge`: how well and how fast document search finds the passage that answers
 * a question, per search mode, and what retrieval adds to a chat on 10,000 passages.
 *
 *   npm run bench:knowledge -- [--passages 10000] [--search-rounds 3] [--chats 200] [--office-share 0.1]
 *
 * Starts the scripted upstream (own process) and Conduit's production build on a fresh database
 * (PGlite; `CONDUIT_TEST_DB=postgres` for PostgreSQL), uploads the handbook in
 * bench/knowledge-corpus/ through `POST /api/v1/documents`, and asks every question of
 * questions.json through `POST /api/v1/documents/search` with `{query, limit: 5, mode}` for each
 * mode: recall@5, MRR@5 and latency, over all questions and apart for those that share words with
 * their answer and those that only paraphrase it. A mode the server ignores, rejects or answers
 * with another mode (no embeddings) is reported as not available. Then it uploads generated filler
 * documents until the organisation holds `--passages` passages, asks again (the handbook among
 * distractors; `--office-share` of the filler's words are the handbook's own, which decides how
 * many filler passages a question matches), and times the same non-streaming chat, in rotating
 * order, for an agent without knowledge and for two whose knowledge_config names every document,
 * one in the default mode (hybrid where embeddings are available) and one in full text: what
 * retrieval adds to p50 and p99 in each mode. Prints markdown tables, the target for each mode,
 * then `BENCH_KNOWLEDGE_JSON {...}`.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { createAgent } from "@/lib/agents";
import type { Db } from "@/lib/db";
import { chunkDocument } from "@/lib/knowledge";
import { startWorld } from "../test/support/app";
import { createKey, createTenant } from "../test/support/fixtures";
import { DEFAULT_CONTENT } from "../test/support/scripted-upstream";
import { serverTiming } from "../test/support/server-timing";
import { numberFlag } from "./flags";
import { ensureProductionBuild, startUpstreamProcess } from "./processes";
import { benchJson, difference, percentiles, rank, type Percentiles } from "./stats";

const ROOT = path.resolve(__dirname, "..");
const CORPUS_DIR = path.join(__dirname, "knowledge-corpus");
const HANDBOOK_FOLDER = "handbook/";
const FILLER_FOLDER = "filler/";
/** What the agent with knowledge names in its knowledge_config: every document. */
const KNOWLEDGE_FOLDERS = [HANDBOOK_FOLDER, FILLER_FOLDER] as const;
const MODEL = "bench-model";
/** The scripted upstream's deterministic embeddings (hashed words, with a small synonym table). */
const EMBEDDING_MODEL = "bench-embeddings";
const TOP_K = 5;
const MODES = ["fulltext", "vector", "hybrid"] as const;
type Mode = (typeof MODES)[number];
/** Far above the load generated, so the per-key limit (120/min by default) never answers 429. */
const BENCH_RATE_LIMIT_PER_MINUTE = 100_000_000;
/** Requests before anything is timed: the routes' first calls compile and warm caches. */
const WARMUP_SEARCHES = 20;
const WARMUP_CHATS = 20;
/** The issue's target: what retrieval may add to a chat's median on 10,000 passages. */
const ADDED_P50_LIMIT_MS = 10;
const FILLER_SECTIONS_PER_DOCUMENT = 100;
const FILLER_WORDS_PER_SECTION = 60;

const Question = z.object({
  question: z.string().min(1),
  path: z.string().startsWith(HANDBOOK_FOLDER),
  /** The section (last heading) whose passage answers the question. */
  heading: z.string().min(1),
  /** keyword: shares words with its answer; paraphrase: says it in other words, so full text may miss it. */
  kind: z.enum(["keyword", "paraphrase"]),
});
type Question = z.output<typeof Question>;
const KINDS = ["keyword", "paraphrase"] as const;

interface CorpusDocument {
  path: string;
  content: string;
}

function readCorpus(): { documents: CorpusDocument[]; questions: Question[] } {
  const folder = path.join(CORPUS_DIR, HANDBOOK_FOLDER);
  const documents = readdirSync(folder)
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => ({ path: `${HANDBOOK_FOLDER}${name}`, content: readFileSync(path.join(folder, name), "utf8") }));
  const questions = z.array(Question).parse(JSON.parse(readFileSync(path.join(CORPUS_DIR, "questions.json"), "utf8")));
  const paths = new Set(documents.map((document) => document.path));
  const unknown = questions.find((question) => !paths.has(question.path));
  if (unknown) throw new Error(`questions.json names ${unknown.path}, which is not in the corpus`);
  return { documents, questions };
}

const passageCount = (documents: CorpusDocument[]) =>
  documents.reduce((sum, document) => sum + chunkDocument(document.content, "text/markdown").length, 0);

/** A small deterministic generator (mulberry32), so every run uploads the same filler. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Words the handbook and its questions use too (leave, cartridge, customer, approval…): the share
 * of filler words drawn from them decides how many filler passages a question's words match.
 */
const OFFICE_VOCABULARY = (
  "team manager employee customer supplier office warehouse product order delivery refund return cartridge filter " +
  "water jug bottle leave holiday policy approval budget expense claim receipt invoice payment subscription account " +
  "security password laptop device badge review release deploy incident report meeting agenda project plan quarter " +
  "week month year day hour process request form portal system data record audit training course contract " +
  "price discount shipping region support ticket email chat phone update schedule rotation shift pay salary " +
  "bonus notice equipment monitor desk chair travel flight hotel train meal allowance tax visa quality test " +
  "laboratory batch standard recycling packaging energy emissions building access visitor guest gift conflict " +
  "note summary draft minutes template checklist owner deadline status risk issue change backlog roadmap"
).split(" ");
const FUNCTION_WORDS = "the a of to and in for on with by from at as is are be was will may must should can each every".split(" ");
/** Each filler document's own terms: a project's jargon, names and codes, which no question uses. */
const JARGON_WORDS_PER_DOCUMENT = 300;
const SYLLABLES = "ka ro vi de lu mo ta ne si pa gu fe ri zo ba chi te lo ma nu".split(" ");

function fillerDocument(index: number, random: () => number, officeShare: number): CorpusDocument {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const jargon = Array.from({ length: JARGON_WORDS_PER_DOCUMENT }, () =>
    Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(SYLLABLES)).join(""),
  );
  // A third of prose is function words (stop words: no search matches them); the rest is office words or jargon.
  const word = () => (random() < 1 / 3 ? pick(FUNCTION_WORDS) : random() < officeShare ? pick(OFFICE_VOCABULARY) : pick(jargon));
  const sentence = (words: number) => {
    const text = Array.from({ length: words }, word).join(" ");
    return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
  };
  const sections = Array.from({ length: FILLER_SECTIONS_PER_DOCUMENT }, (_, section) => {
    const sentences = Array.from({ length: FILLER_WORDS_PER_SECTION / 12 }, () => sentence(12)).join(" ");
    return `## ${sentence(3).slice(0, -1)} ${section + 1}\n\n${sentences}`;
  });
  return {
    path: `${FILLER_FOLDER}notes-${String(index + 1).padStart(4, "0")}.md`,
    content: `# Notes ${index + 1}\n\n${sections.join("\n\n")}`,
  };
}

/**
 * How many filler passages share a word with each question (exact words of the office
 * vocabulary; search also stems, so this is a floor): the passages full text must rank.
 */
function fillerMatchesPerQuestion(filler: CorpusDocument[], questions: Question[]): Percentiles | null {
  const office = new Set(OFFICE_VOCABULARY);
  const wordsOf = (text: string) => new Set(text.toLowerCase().match(/[a-z]+/g) ?? []);
  const passages = filler.flatMap((document) => chunkDocument(document.content, "text/markdown").map((chunk) => wordsOf(chunk.content)));
  return percentiles(
    questions.map((question) => {
      const words = [...wordsOf(question.question)].filter((word) => office.has(word));
      return passages.filter((passage) => words.some((word) => passage.has(word))).length;
    }),
  );
}

/** Filler documents enough to bring the organisation from `existing` passages to at least `target`. */
function fillerDocuments(existing: number, target: number, officeShare: number): CorpusDocument[] {
  const random = seededRandom(20_261_126);
  const documents: CorpusDocument[] = [];
  let passages = existing;
  while (passages < target) {
    const document = fillerDocument(documents.length, random, officeShare);
    passages += chunkDocument(document.content, "text/markdown").length;
    documents.push(document);
  }
  return documents;
}

async function seed(db: Db) {
  const tenant = await createTenant(db, "Knowledge bench");
  const key = await createKey(db, { orgId: tenant.org.id, name: "bench", rateLimitPerMinute: BENCH_RATE_LIMIT_PER_MINUTE });
  // Same settings as the tenant's agent but for their knowledge: every document, the default 5 passages.
  const withKnowledge = await createAgent(db, {
    orgId: tenant.org.id,
    name: "Knowledge bench agent, default retrieval",
    knowledgeConfig: { document_paths: [...KNOWLEDGE_FOLDERS] },
  });
  const withFullText = await createAgent(db, {
    orgId: tenant.org.id,
    name: "Knowledge bench agent, full text",
    knowledgeConfig: { document_paths: [...KNOWLEDGE_FOLDERS], mode: "fulltext" },
  });
  return {
    key: key.secret,
    plainAgentId: tenant.agent.id,
    knowledgeAgents: [
      { label: "default mode", agentId: withKnowledge.id },
      { label: "mode fulltext", agentId: withFullText.id },
    ],
  };
}

class Client {
  constructor(
    private readonly baseUrl: string,
    private readonly key: string,
  ) {}

  async post(pathname: string, body: unknown): Promise<{ status: number; text: string; headers: Headers; ms: number }> {
    const started = performance.now();
    const response = await fetch(`${this.baseUrl}${pathname}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${this.key}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, text, headers: response.headers, ms: performance.now() - started };
  }

  async get(pathname: string): Promise<{ status: number; text: string }> {
    const response = await fetch(`${this.baseUrl}${pathname}`, { headers: { Authorization: `Bearer ${this.key}` } });
    return { status: response.status, text: await response.text() };
  }
}

async function upload(client: Client, documents: CorpusDocument[]): Promise<number> {
  const started = performance.now();
  for (const document of documents) {
    const response = await client.post("/api/v1/documents", {
      path: document.path,
      content: document.content,
      content_type: "text/markdown",
    });
    if (response.status !== 201) throw new Error(`uploading ${document.path} answered ${response.status}: ${response.text.slice(0, 300)}`);
  }
  return performance.now() - started;
}

const Passage = z.object({ path: z.string().nullable(), heading: z.string() });
type Passage = z.output<typeof Passage>;
/** A search's answer: the passages, best first; the mode that ranked them is in a response header. */
const SearchAnswer = z.array(Passage);

interface Search {
  passages: Passage[];
  /** The mode the server says it used; null when it says nothing. */
  servedMode: string | null;
  ms: number;
}

/** Where a search looks: the whole organisation, or the folders an agent's knowledge_config names. */
type Scope = readonly string[] | null;

async function search(client: Client, query: string, mode: Mode, scope: Scope): Promise<Search | { refused: string }> {
  const response = await client.post("/api/v1/documents/search", {
    query,
    limit: TOP_K,
    mode,
    ...(scope ? { document_paths: scope } : {}),
  });
  if (response.status >= 400 && response.status < 500) return { refused: `${response.status}: ${response.text.slice(0, 200)}` };
  if (response.status !== 200) throw new Error(`search answered ${response.status}: ${response.text.slice(0, 300)}`);
  const passages = SearchAnswer.parse(JSON.parse(response.text));
  return { passages, servedMode: response.headers.get("conduit-retrieval-mode"), ms: response.ms };
}

/** Whether the server searches in this mode: one without embeddings (or pgvector) answers with full text. */
async function availability(client: Client, probe: string, mode: Mode, scope: Scope): Promise<string | null> {
  const answer = await search(client, probe, mode, scope);
  if ("refused" in answer) return `refused (${answer.refused})`;
  if (answer.servedMode === null) return "not available: the server names no retrieval mode";
  if (answer.servedMode !== mode) return `not available: the server answered with ${answer.servedMode}`;
  return null;
}

interface Quality {
  questions: number;
  recallAt5: number;
  mrrAt5: number;
}

interface ModeResult {
  mode: Mode;
  /** The folders searched (as a run of the agent with knowledge searches them); null: the whole organisation. */
  scope: Scope;
  /** Why the mode was not measured; null when it was. */
  unavailable: string | null;
  /** Whether the server said which mode it used (false: it ignores `mode`, and full text is all it has). */
  confirmedByServer: boolean;
  quality: Record<"all" | (typeof KINDS)[number], Quality> | null;
  latencyMs: { p50: number; p95: number; samples: number } | null;
  /** Questions whose passage was not in the top 5: what to look at when a figure moves. */
  missed: string[];
}

/** The position (1-based) of the first passage from the expected section, or null when it is not in the top 5. */
function positionOfAnswer(question: Question, passages: Passage[]): number | null {
  const index = passages.findIndex(
    (passage) =>
      passage.path === question.path && (passage.heading === question.heading || passage.heading.endsWith(` › ${question.heading}`)),
  );
  return index === -1 ? null : index + 1;
}

function quality(positions: Array<number | null>): Quality {
  const found = positions.filter((position): position is number => position !== null);
  return {
    questions: positions.length,
    recallAt5: positions.length === 0 ? 0 : found.length / positions.length,
    mrrAt5: positions.length === 0 ? 0 : found.reduce((sum, position) => sum + 1 / position, 0) / positions.length,
  };
}

async function evaluateMode(client: Client, questions: Question[], mode: Mode, scope: Scope, rounds: number): Promise<ModeResult> {
  const unavailable = await availability(client, questions[0]!.question, mode, scope);
  if (unavailable !== null) return { mode, scope, unavailable, confirmedByServer: false, quality: null, latencyMs: null, missed: [] };
  for (let i = 0; i < WARMUP_SEARCHES; i++) await search(client, questions[i % questions.length]!.question, mode, scope);
  const times: number[] = [];
  const positions = new Map<Question, number | null>();
  let confirmedByServer = false;
  for (let round = 0; round < rounds; round++) {
    for (const question of questions) {
      const answer = await search(client, question.question, mode, scope);
      if ("refused" in answer) throw new Error(`search in ${mode} refused mid-run: ${answer.refused}`);
      times.push(answer.ms);
      confirmedByServer = answer.servedMode === mode;
      // Rankings are deterministic; the first round's is the one scored.
      if (round === 0) positions.set(question, positionOfAnswer(question, answer.passages));
    }
  }
  const of = (kind?: Question["kind"]) =>
    quality(questions.filter((question) => !kind || question.kind === kind).map((question) => positions.get(question) ?? null));
  times.sort((a, b) => a - b);
  return {
    mode,
    scope,
    unavailable: null,
    confirmedByServer,
    quality: { all: of(), keyword: of("keyword"), paraphrase: of("paraphrase") },
    latencyMs: { p50: rank(times, 50), p95: rank(times, 95), samples: times.length },
    missed: questions.filter((question) => positions.get(question) === null).map((question) => `${question.kind}: ${question.question}`),
  };
}

interface ChatTimes {
  ms: Percentiles | null;
  /** Conduit's own time (Server-Timing `gateway`: the request less the model call), where retrieval runs. */
  gatewayMs: Percentiles | null;
}

/** One agent with knowledge against the same agent without. */
interface RetrievalOverhead extends ChatTimes {
  label: string;
  /** The mode its traced run says retrieval ran in. */
  mode: string;
  addedMs: Percentiles | null;
  gatewayAddedMs: Percentiles | null;
  /** Server-Timing `retrieval`: the part of the chats' own time spent finding passages. */
  retrievalMs: Percentiles | null;
  /** How many passages its traced run was given, checked once after the load. */
  tracedPassages: number;
}

interface ChatOverhead {
  chats: number;
  withoutKnowledge: ChatTimes;
  withKnowledge: RetrievalOverhead[];
}

interface Chat {
  ms: number;
  gatewayMs: number | undefined;
  retrievalMs: number | undefined;
  traceId: string;
}

async function chat(client: Client, agentId: string, question: string): Promise<Chat> {
  const response = await client.post(`/api/agents/${agentId}/chat`, { messages: [{ role: "user", content: question }], stream: false });
  if (response.status !== 200 || !response.text.includes(DEFAULT_CONTENT)) {
    throw new Error(`chat answered ${response.status}: ${response.text.slice(0, 300)}`);
  }
  const { trace_id: traceId } = z.object({ trace_id: z.string() }).parse(JSON.parse(response.text));
  const timing = serverTiming(response.headers);
  return { ms: response.ms, gatewayMs: timing.gateway, retrievalMs: timing.retrieval, traceId };
}

/** The retrieval a traced run made: its mode and how many passages it was given; its records are written behind the reply, so this waits for them. */
async function tracedRetrieval(client: Client, traceId: string): Promise<{ mode: string; passages: number }> {
  const Trace = z.object({
    generations: z.array(z.object({ steps: z.array(z.object({ type: z.string(), result: z.unknown() })) })),
  });
  for (let attempt = 0; attempt < 50; attempt++) {
    const response = await client.get(`/api/v1/agents/traces/${traceId}`);
    if (response.status === 200) {
      const steps = Trace.parse(JSON.parse(response.text)).generations.flatMap((generation) => generation.steps);
      const retrieval = z
        .object({ mode: z.string(), passages: z.array(z.unknown()) })
        .safeParse(steps.find((step) => step.type === "retrieval")?.result);
      return retrieval.success ? { mode: retrieval.data.mode, passages: retrieval.data.passages.length } : { mode: "none", passages: 0 };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`trace ${traceId} was never recorded`);
}

/**
 * Every agent answers the same question back to back, in an order that rotates, so all see the
 * same machine state: the agent without knowledge, and each with knowledge in its retrieval mode.
 */
async function measureChatOverhead(
  client: Client,
  seeded: Awaited<ReturnType<typeof seed>>,
  questions: Question[],
  chats: number,
): Promise<ChatOverhead> {
  const agentIds = [seeded.plainAgentId, ...seeded.knowledgeAgents.map((agent) => agent.agentId)];
  const ask = (agentId: string, i: number) => chat(client, agentId, questions[i % questions.length]!.question);
  for (let i = 0; i < WARMUP_CHATS; i++) for (const agentId of agentIds) await ask(agentId, i);
  const samples = agentIds.map((): Chat[] => []);
  for (let i = 0; i < chats; i++) {
    for (let turn = 0; turn < agentIds.length; turn++) {
      const agent = (i + turn) % agentIds.length;
      samples[agent]!.push(await ask(agentIds[agent]!, i));
    }
  }
  const times = (taken: Chat[]): ChatTimes => ({
    ms: percentiles(taken.map((sample) => sample.ms)),
    gatewayMs: percentiles(taken.flatMap((sample) => (sample.gatewayMs === undefined ? [] : [sample.gatewayMs]))),
  });
  const [plainSamples, ...knowledgeSamples] = samples;
  if ((await tracedRetrieval(client, plainSamples!.at(-1)!.traceId)).passages !== 0)
    throw new Error("the agent without knowledge retrieved passages");
  const withoutKnowledge = times(plainSamples!);
  const withKnowledge: RetrievalOverhead[] = [];
  for (const [i, agent] of seeded.knowledgeAgents.entries()) {
    const taken = knowledgeSamples[i]!;
    const traced = await tracedRetrieval(client, taken.at(-1)!.traceId);
    if (traced.passages === 0)
      throw new Error(`the agent with knowledge (${agent.label}) was given no passages: its chats measured no retrieval`);
    const own = times(taken);
    withKnowledge.push({
      label: agent.label,
      mode: traced.mode,
      ...own,
      addedMs: difference(own.ms, withoutKnowledge.ms),
      gatewayAddedMs: difference(own.gatewayMs, withoutKnowledge.gatewayMs),
      retrievalMs: percentiles(taken.flatMap((sample) => (sample.retrievalMs === undefined ? [] : [sample.retrievalMs]))),
      tracedPassages: traced.passages,
    });
  }
  return { chats, withoutKnowledge, withKnowledge };
}

const fixed = (value: number | undefined, digits = 2) => (value === undefined ? "–" : value.toFixed(digits));
const signed = (value: number | undefined) => (value === undefined ? "–" : `${value >= 0 ? "+" : ""}${value.toFixed(2)}`);

function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(" | ")} |`;
  const rule = `| ${widths.map((width, i) => (i === 0 ? "-".repeat(width) : `${"-".repeat(width - 1)}:`)).join(" | ")} |`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

const labelOf = (result: ModeResult) => (result.scope ? `${result.mode}, in ${result.scope.join(" + ")}` : result.mode);

function searchTable(results: ModeResult[]): string {
  const reasons = results.flatMap((result) => (result.unavailable === null ? [] : [`${labelOf(result)}: ${result.unavailable}`]));
  const table = markdownTable(
    ["mode", "recall@5", "MRR@5", "recall@5 keyword", "recall@5 paraphrase", "MRR@5 paraphrase", "p50 ms", "p95 ms"],
    results.map((result) => {
      if (result.quality === null || result.latencyMs === null) return [labelOf(result), "not available", "–", "–", "–", "–", "–", "–"];
      const { all, keyword, paraphrase } = result.quality;
      return [
        result.confirmedByServer ? labelOf(result) : `${labelOf(result)} (server ignores mode)`,
        fixed(all.recallAt5),
        fixed(all.mrrAt5),
        fixed(keyword.recallAt5),
        fixed(paraphrase.recallAt5),
        fixed(paraphrase.mrrAt5),
        fixed(result.latencyMs.p50, 1),
        fixed(result.latencyMs.p95, 1),
      ];
    }),
  );
  return reasons.length === 0 ? table : `${table}\n\n${reasons.join("\n")}`;
}

function chatTable(overhead: ChatOverhead): string {
  const timesRow = (label: string, times: ChatTimes) => [
    label,
    fixed(times.ms?.p50),
    fixed(times.ms?.p99),
    fixed(times.gatewayMs?.p50),
    fixed(times.gatewayMs?.p99),
  ];
  return markdownTable(
    ["chat (non-streaming)", "p50 ms", "p99 ms", "gateway p50", "gateway p99"],
    [
      timesRow("without knowledge", overhead.withoutKnowledge),
      ...overhead.withKnowledge.flatMap((agent) => [
        timesRow(`with knowledge, ${agent.label}: ${agent.mode} (${agent.tracedPassages} passages)`, agent),
        [
          "· added by retrieval",
          signed(agent.addedMs?.p50),
          signed(agent.addedMs?.p99),
          signed(agent.gatewayAddedMs?.p50),
          signed(agent.gatewayAddedMs?.p99),
        ],
        ["· retrieval itself (Server-Timing)", "", "", fixed(agent.retrievalMs?.p50), fixed(agent.retrievalMs?.p99)],
      ]),
    ],
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      passages: { type: "string", default: "10000" },
      "search-rounds": { type: "string", default: "3" },
      chats: { type: "string", default: "200" },
      "office-share": { type: "string", default: "0.1" },
    },
  });
  const targetPassages = numberFlag(values.passages, "passages", { integer: true });
  const rounds = numberFlag(values["search-rounds"], "search-rounds", { integer: true });
  const chats = numberFlag(values.chats, "chats", { integer: true });
  const officeShare = numberFlag(values["office-share"], "office-share", { allowZero: true });
  if (officeShare > 1) throw new Error(`--office-share is a share of words, 0 to 1; got ${officeShare}`);
  const { documents, questions } = readCorpus();
  const corpusPassages = passageCount(documents);
  const filler = fillerDocuments(corpusPassages, targetPassages, officeShare);
  const totalPassages = corpusPassages + passageCount(filler);
  const matched = fillerMatchesPerQuestion(filler, questions);

  await ensureProductionBuild(ROOT);
  const upstream = await startUpstreamProcess(ROOT);
  try {
    const world = await startWorld({
      seed,
      env: {
        OPENAI_BASE_URL: upstream.baseUrl,
        OPENAI_API_KEY: "bench",
        OPENAI_MODEL: MODEL,
        EMBEDDING_MODEL: EMBEDDING_MODEL,
        MODEL_MAX_RETRIES: "0",
        SEED_DEMO: "false",
        // The approximate search's breadth can be compared across runs by setting it here.
        ...(process.env.KNOWLEDGE_VECTOR_EF_SEARCH ? { KNOWLEDGE_VECTOR_EF_SEARCH: process.env.KNOWLEDGE_VECTOR_EF_SEARCH } : {}),
      },
    });
    try {
      const client = new Client(world.app.url, world.seeded.key);
      const evaluateAll = async () => {
        const results: ModeResult[] = [];
        for (const mode of MODES) results.push(await evaluateMode(client, questions, mode, null, rounds));
        // What a run of the agent with knowledge asks: the same search within its knowledge_config's folders.
        results.push(await evaluateMode(client, questions, "fulltext", KNOWLEDGE_FOLDERS, rounds));
        return results;
      };
      const counts = Object.fromEntries(KINDS.map((kind) => [kind, questions.filter((question) => question.kind === kind).length]));
      console.log(
        `Conduit (${world.backend}) at ${world.app.url}; ${documents.length} handbook documents (${corpusPassages} passages), ` +
          `${questions.length} questions (${counts.keyword} keyword, ${counts.paraphrase} paraphrase), top ${TOP_K}, ${rounds} rounds timed`,
      );
      const corpusUploadMs = await upload(client, documents);
      const corpusOnly = await evaluateAll();
      console.log(`· handbook uploaded in ${(corpusUploadMs / 1000).toFixed(1)} s; uploading ${filler.length} filler documents…`);
      const fillerUploadMs = await upload(client, filler);
      console.log(
        `· filler uploaded in ${(fillerUploadMs / 1000).toFixed(1)} s (${totalPassages} passages in all; ${officeShare} of its words ` +
          `the handbook's: a question shares a word with ${matched?.p50 ?? 0} filler passages at the median, ${matched?.p99 ?? 0} at p99)`,
      );
      const withFiller = await evaluateAll();
      console.log(`· chat: ${chats} per agent after ${WARMUP_CHATS} warm-up, alternating…`);
      const overhead = await measureChatOverhead(client, world.seeded, questions, chats);

      const targets = overhead.withKnowledge.map((agent) => {
        const added = agent.addedMs?.p50;
        return {
          agent: agent.label,
          mode: agent.mode,
          addedP50Ms: added ?? null,
          holds: added !== undefined && added <= ADDED_P50_LIMIT_MS,
        };
      });
      const holds = targets.every((target) => target.holds);
      console.log(`\n### Search, handbook only (${corpusPassages} passages)\n\n${searchTable(corpusOnly)}`);
      console.log(
        `\n### Search, handbook among filler (${totalPassages} passages, office share ${officeShare})\n\n${searchTable(withFiller)}`,
      );
      console.log(`\n### Chat with retrieval on ${totalPassages} passages (${overhead.chats} chats each)\n\n${chatTable(overhead)}`);
      for (const target of targets) {
        console.log(
          `\nTarget: retrieval (${target.agent}: ${target.mode}) adds ≤ ${ADDED_P50_LIMIT_MS} ms p50 to a chat on ${totalPassages} passages: ` +
            `${signed(target.addedP50Ms ?? undefined)} ms — ${target.holds ? "holds" : "DOES NOT HOLD"}`,
        );
      }
      for (const result of withFiller.filter((searched) => searched.scope === null)) {
        if (result.missed.length > 0)
          console.log(`\nMissed in ${labelOf(result)} among filler:\n${result.missed.map((line) => `  - ${line}`).join("\n")}`);
      }
      console.log(
        `BENCH_KNOWLEDGE_JSON ${benchJson({
          backend: world.backend,
          corpus: { documents: documents.length, passages: corpusPassages, questions: questions.length, ...counts },
          totalPassages,
          uploadMs: { corpus: corpusUploadMs, filler: fillerUploadMs },
          filler: { documents: filler.length, officeShare, passagesSharingAWordWithAQuestion: matched },
          search: { corpusOnly, withFiller },
          chat: overhead,
          target: { addedP50LimitMs: ADDED_P50_LIMIT_MS, byMode: targets, holds },
        })}`,
      );
      if (!holds) process.exitCode = 1;
    } finally {
      await world.close();
    }
  } finally {
    await upstream.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
