/**
 * Automations end to end over loopback: webhook triggers (Standard Webhooks signatures and
 * bearer secrets) into the running app, steps run from the durable queue with the agent answering
 * from a scripted model, and http steps observed on a loopback receiver.
 */
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { startWorld, type World } from "./support/app";
import { createMember, createTenant } from "./support/fixtures";
import { uniqueIp } from "./support/http";
import { expectDocumented } from "./support/openapi-contract";
import { startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver";

const PUBLIC_URL = "https://conduit.example.test";

let upstream: ScriptedUpstream;
let receiver: WebhookReceiver;
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme", { agent: { instructions: "You triage customer messages." } });
  const admin = await createMember(db, acme.org.id, "admin@acme.test", "admin");
  const member = await createMember(db, acme.org.id, "member@acme.test", "member");
  const reviewer = await createMember(db, acme.org.id, "reviewer@acme.test", "reviewer");
  const globex = await createTenant(db, "Globex");
  const mallory = await createMember(db, globex.org.id, "mallory@globex.test", "owner");
  return { acme, admin, member, reviewer, globex, mallory };
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

async function api(method: string, path: string, token: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`${world.app.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  expectDocumented(method, path, response, text);
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, text };
}

interface Created {
  id: string;
  triggerPath: string;
  bearer: string;
  signing: string;
  body: Record<string, unknown>;
}

async function createAutomation(steps: unknown[], options: { publish?: boolean; name?: string } = {}): Promise<Created> {
  const reply = await api("POST", "/api/automations", world.seeded.admin.token, { name: options.name ?? "Triage", steps });
  expect(reply.status, reply.text).toBe(201);
  const trigger = reply.body.trigger as { url: string };
  const created = {
    id: String(reply.body.id),
    triggerPath: new URL(trigger.url).pathname,
    bearer: String(reply.body.bearer_secret),
    signing: String(reply.body.signing_secret),
    body: reply.body,
  };
  if (options.publish !== false) {
    const published = await api("POST", `/api/automations/${created.id}/publish`, world.seeded.admin.token);
    expect(published.status, published.text).toBe(200);
  }
  return created;
}

interface TriggerReply {
  status: number;
  body: Record<string, unknown>;
}

async function post(path: string, raw: string, headers: Record<string, string>): Promise<TriggerReply> {
  const response = await fetch(`${world.app.url}${path}`, { method: "POST", headers: { ...uniqueIp(), ...headers }, body: raw });
  const text = await response.text();
  expectDocumented("POST", path, response, text);
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function signedHeaders(secret: string, raw: string, id = `msg_${randomBytes(8).toString("hex")}`, at = new Date()) {
  return {
    "Content-Type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, at, raw),
  };
}

const triggerSigned = (automation: Created, payload: unknown, id?: string) => {
  const raw = JSON.stringify(payload);
  return post(automation.triggerPath, raw, signedHeaders(automation.signing, raw, id));
};

const triggerBearer = (automation: Created, payload: unknown, bearer = automation.bearer) =>
  post(automation.triggerPath, JSON.stringify(payload), { "Content-Type": "application/json", Authorization: `Bearer ${bearer}` });

interface StepResult {
  id: string;
  type: string;
  status: string;
  input: Record<string, unknown>;
  output: Record<string, unknown> | null;
  warnings: string[];
  error: string | null;
  attempts: number;
  duration_ms: number | null;
}

async function getRun(runId: string): Promise<Record<string, unknown> & { steps: StepResult[]; status: string }> {
  const reply = await api("GET", `/api/automation-runs/${runId}`, world.seeded.member.token);
  expect(reply.status, reply.text).toBe(200);
  return reply.body as Record<string, unknown> & { steps: StepResult[]; status: string };
}

async function waitForRun(runId: string, statuses: string[] = ["succeeded", "failed"], timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await getRun(runId);
    if (statuses.includes(run.status) || Date.now() > deadline) return run;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function runCount(automation: Created): Promise<number> {
  const reply = await api("GET", `/api/automations/${automation.id}/runs`, world.seeded.member.token);
  expect(reply.status).toBe(200);
  return (reply.body.data as unknown[]).length;
}

const quietFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const receivedJson = (index: number) => JSON.parse(receiver.received[index]!.rawBody.toString("utf8")) as Record<string, unknown>;

const httpStep = (body: unknown, extra: Record<string, unknown> = {}) => ({
  id: "notify",
  type: "http",
  method: "POST",
  url: () => receiver.url,
  body,
  ...extra,
});
/** Steps are built after the receiver starts: its URL is known then. */
const resolved = (steps: Array<Record<string, unknown>>) =>
  steps.map((step) => Object.fromEntries(Object.entries(step).map(([key, value]) => [key, typeof value === "function" ? value() : value])));

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  receiver = await startWebhookReceiver();
  world = await startWorld({
    seed,
    env: {
      PUBLIC_URL,
      OPENAI_BASE_URL: upstream.baseUrl,
      OPENAI_MODEL: "scripted-model",
      MODEL_MAX_RETRIES: "0",
      TOOL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
      JOB_RETRY_BASE_MS: "50",
      JOB_LEASE_MS: "3000",
      TRUST_PROXY_HOPS: "1",
      AUTOMATION_TRIGGER_PER_MINUTE: "20",
    },
  });
});

afterAll(async () => {
  await world?.close();
  await Promise.all([upstream?.close(), receiver?.close()]);
});

beforeEach(() => {
  upstream.reset();
  receiver.received.length = 0;
  receiver.setFallback({ status: 200, body: { ok: true } });
});

describe("a signed webhook runs agent → condition → http", () => {
  it("renders the agent's answer into the http step's JSON body and records every step", async () => {
    const answer = 'Refund approved for "Ada".\nShip a label.';
    upstream.script({ content: answer });
    const automation = await createAutomation(
      resolved([
        {
          id: "answer",
          type: "agent",
          agent_id: world.seeded.acme.agent.publicId,
          prompt: "{{trigger.body.customer.name}} asks: {{trigger.body.message}}",
        },
        { id: "approved", type: "condition", field: "steps.answer.output.text", operator: "contains", value: "approved" },
        httpStep(
          {
            reply: "{{steps.answer.output.text}}",
            customer: "{{trigger.body.customer.name}}",
            tokens: "{{steps.answer.output.usage.output_tokens}}",
          },
          { headers: { "X-Customer": "{{trigger.body.customer.id}}" } },
        ),
      ]),
    );
    const queued = await triggerSigned(automation, { customer: { id: "cus_1", name: "Ada" }, message: "Where is my refund?" });
    expect(queued.status).toBe(202);
    expect(queued.body).toEqual({ run_id: expect.stringMatching(/^atr_/), status: "queued" });

    const [delivery] = await receiver.waitFor(1);
    expect(delivery!.method).toBe("POST");
    expect(delivery!.headers["content-type"]).toBe("application/json");
    expect(delivery!.headers["x-customer"]).toBe("cus_1");
    expect(receivedJson(0)).toEqual({ reply: answer, customer: "Ada", tokens: "6" });
    const prompt = JSON.stringify((upstream.requests[0]!.body as { messages: unknown[] }).messages);
    expect(prompt).toContain("Ada asks: Where is my refund?");

    const run = await waitForRun(String(queued.body.run_id));
    expect(run.status).toBe("succeeded");
    expect(run.payload).toEqual({ customer: { id: "cus_1", name: "Ada" }, message: "Where is my refund?" });
    expect(run.steps.map((step) => [step.id, step.status, step.attempts])).toEqual([
      ["answer", "succeeded", 1],
      ["approved", "succeeded", 1],
      ["notify", "succeeded", 1],
    ]);
    const [agent, condition, http] = run.steps;
    expect(agent!.input).toEqual({ agent_id: world.seeded.acme.agent.publicId, prompt: "Ada asks: Where is my refund?" });
    expect(agent!.output).toMatchObject({
      text: answer,
      generation_id: expect.stringMatching(/^agt_gen_/),
      usage: { input_tokens: 12, output_tokens: 6 },
    });
    expect(condition!.output).toMatchObject({ result: true, next: "continue" });
    expect(http!.input).toMatchObject({ method: "POST", url: receiver.url, body: { reply: answer, customer: "Ada", tokens: "6" } });
    expect(http!.output).toEqual({ status: 200, body: { ok: true } });
    for (const step of run.steps) {
      expect(step.duration_ms).toEqual(expect.any(Number));
      expect(step.warnings).toEqual([]);
      expect(step.error).toBeNull();
    }
    expect(run.finished_at).toEqual(expect.any(String));

    const listed = await api("GET", `/api/automations/${automation.id}/runs`, world.seeded.member.token);
    expect((listed.body.data as Array<{ id: string; status: string }>)[0]).toMatchObject({ id: queued.body.run_id, status: "succeeded" });
  });

  it("a false condition ends the run successfully, or jumps to the step it names", async () => {
    const steps = (elseStep?: string) =>
      resolved([
        {
          id: "gate",
          type: "condition",
          field: "trigger.body.amount",
          operator: "gt",
          value: "100",
          ...(elseStep ? { else_step: elseStep } : {}),
        },
        httpStep({ kind: "big" }),
        { ...httpStep({ kind: "small" }), id: "small" },
      ]);
    const stopping = await createAutomation(steps());
    const stopped = await waitForRun(String((await triggerBearer(stopping, { amount: 5 })).body.run_id));
    expect(stopped.status).toBe("succeeded");
    expect(stopped.steps.map((step) => [step.id, step.status])).toEqual([["gate", "succeeded"]]);
    expect(stopped.steps[0]!.output).toMatchObject({ result: false, next: "end" });
    expect(receiver.received).toHaveLength(0);

    const jumping = await createAutomation(steps("small"));
    const jumped = await waitForRun(String((await triggerBearer(jumping, { amount: 5 })).body.run_id));
    expect(jumped.steps.map((step) => [step.id, step.status])).toEqual([
      ["gate", "succeeded"],
      ["notify", "skipped"],
      ["small", "succeeded"],
    ]);
    const big = await waitForRun(String((await triggerBearer(jumping, { amount: 500 })).body.run_id));
    expect(big.steps.map((step) => step.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(receiver.received.map((delivery) => (JSON.parse(delivery.rawBody.toString()) as { kind: string }).kind)).toEqual([
      "small",
      "big",
      "small",
    ]);
  });
});

describe("the trigger", () => {
  it("takes the bearer secret; a wrong secret or signature is 401 and queues nothing", async () => {
    const automation = await createAutomation(resolved([httpStep({ hello: "{{trigger.body.name}}" })]));
    const accepted = await triggerBearer(automation, { name: "bearer" });
    expect(accepted.status).toBe(202);
    await waitForRun(String(accepted.body.run_id));

    const raw = JSON.stringify({ name: "forged" });
    const refusals = [
      await triggerBearer(automation, { name: "forged" }, `ats_${"x".repeat(32)}`),
      await triggerBearer(automation, { name: "forged" }, "not-even-shaped"),
      await post(automation.triggerPath, raw, signedHeaders(`whsec_${randomBytes(32).toString("base64")}`, raw)),
      // Signed with the right secret, but for another body.
      await post(automation.triggerPath, JSON.stringify({ name: "tampered" }), signedHeaders(automation.signing, raw)),
      // Replayed long after it was signed.
      await post(automation.triggerPath, raw, signedHeaders(automation.signing, raw, "msg_old", new Date(Date.now() - 3_600_000))),
      await post(automation.triggerPath, raw, { "Content-Type": "application/json" }),
    ];
    for (const refused of refusals) {
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
    }
    await quietFor(300);
    expect(await runCount(automation)).toBe(1);
    expect(receiver.received).toHaveLength(1);
  });

  it("answers 404 for unknown triggers and unpublished automations", async () => {
    const draft = await createAutomation(resolved([httpStep({})]), { publish: false });
    expect((await triggerBearer(draft, {})).status).toBe(404);
    expect((await triggerSigned(draft, {})).status).toBe(404);

    const published = await createAutomation(resolved([httpStep({})]));
    const accepted = await triggerBearer(published, {});
    expect(accepted.status).toBe(202);
    await waitForRun(String(accepted.body.run_id));
    expect((await api("POST", `/api/automations/${published.id}/unpublish`, world.seeded.admin.token)).body.status).toBe("draft");
    expect((await triggerBearer(published, {})).status).toBe(404);

    for (const path of [`/api/webhooks/automations/trg_${"A".repeat(16)}`, "/api/webhooks/automations/nonsense"]) {
      const reply = await post(path, "{}", { "Content-Type": "application/json", Authorization: `Bearer ${published.bearer}` });
      expect(reply.status).toBe(404);
      expect(reply.body).toMatchObject({ error: { code: "NOT_FOUND" } });
    }
  });

  it("refuses oversized bodies (413), other media types (415) and malformed JSON (400)", async () => {
    const automation = await createAutomation(resolved([httpStep({})]));
    const auth = { Authorization: `Bearer ${automation.bearer}` };
    const big = JSON.stringify({ filler: "x".repeat(300 * 1024) });
    expect((await post(automation.triggerPath, big, { ...auth, "Content-Type": "application/json" })).status).toBe(413);
    expect((await post(automation.triggerPath, "name=ada", { ...auth, "Content-Type": "application/x-www-form-urlencoded" })).status).toBe(
      415,
    );
    const malformed = await post(automation.triggerPath, "{not json", { ...auth, "Content-Type": "application/json" });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: { code: "INVALID_JSON" } });
    await quietFor(200);
    expect(await runCount(automation)).toBe(0);
  });

  it("runs a repeated webhook-id once", async () => {
    const automation = await createAutomation(resolved([httpStep({ n: "{{trigger.body.n}}" })]));
    const first = await triggerSigned(automation, { n: 1 }, "msg_repeated");
    const second = await triggerSigned(automation, { n: 1 }, "msg_repeated");
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.run_id).toBe(first.body.run_id);
    await waitForRun(String(first.body.run_id));
    await quietFor(300);
    expect(await runCount(automation)).toBe(1);
    expect(receiver.received).toHaveLength(1);
  });

  it("limits calls per trigger from every address together", async () => {
    const automation = await createAutomation(resolved([httpStep({})]));
    // 20 a minute: the 21st call of a minute is refused (a minute that turns mid-test starts the count again).
    const statuses: number[] = [];
    while (statuses.length < 41 && statuses.at(-1) !== 429)
      statuses.push((await triggerBearer(automation, {}, `ats_${"y".repeat(32)}`)).status);
    const refusedAt = statuses.indexOf(429);
    expect(refusedAt).toBeGreaterThanOrEqual(20);
    expect(statuses.slice(0, refusedAt).every((status) => status === 401)).toBe(true);
  });
});

describe("templates", () => {
  it("render missing fields empty with a warning and never read __proto__ or constructor", async () => {
    const automation = await createAutomation(
      resolved([
        httpStep({
          missing: "{{trigger.body.nope.deeper}}",
          proto: "{{trigger.body.__proto__}}",
          ctor: "{{ trigger.body.constructor.name }}",
          second: "{{trigger.body.items[1].sku}}",
          outOfRange: "{{trigger.body.items[7].sku}}",
          whole: "{{trigger.body.items[0]}}",
          quote: 'said "{{trigger.body.quote}}"',
        }),
      ]),
    );
    const queued = await triggerBearer(automation, {
      items: [{ sku: "A1" }, { sku: "B2" }],
      quote: 'a "b"\n\\c',
      constructor: { name: "own" },
    });
    const run = await waitForRun(String(queued.body.run_id));
    expect(run.status).toBe("succeeded");
    expect(receivedJson(0)).toEqual({
      missing: "",
      proto: "",
      ctor: "",
      second: "B2",
      outOfRange: "",
      whole: '{"sku":"A1"}',
      quote: 'said "a "b"\n\\c"',
    });
    const warnings = run.steps[0]!.warnings.join(" | ");
    expect(warnings).toContain("trigger.body.nope.deeper is missing");
    expect(warnings).toContain("trigger.body.items[7].sku is missing");
    expect(warnings).toMatch(/__proto__, which templates may not read/);
    expect(warnings).toMatch(/constructor, which templates may not read/);
  });
});

describe("http steps", () => {
  it("refuse private addresses through the outbound guard, without retrying", async () => {
    const automation = await createAutomation([
      { id: "steal", type: "http", method: "GET", url: "http://169.254.169.254/latest/meta-data" },
    ]);
    const run = await waitForRun(String((await triggerBearer(automation, {})).body.run_id));
    expect(run.status).toBe("failed");
    expect(run.steps[0]).toMatchObject({ id: "steal", status: "failed", attempts: 1 });
    expect(run.steps[0]!.error).toMatch(/Refusing to call 169\.254\.169\.254: cloud metadata/);
    expect(String(run.error)).toMatch(/Step "steal" failed after 1 attempt/);
  });

  it("retry a failing target with backoff, then fail the run with the reason", async () => {
    receiver.setFallback({ status: 503, body: { error: "down" } });
    const automation = await createAutomation(resolved([httpStep({ try: "again" })]));
    const run = await waitForRun(String((await triggerBearer(automation, {})).body.run_id), ["failed"], 20_000);
    expect(run.status).toBe("failed");
    expect(receiver.received).toHaveLength(5);
    expect(run.steps[0]).toMatchObject({ status: "failed", attempts: 5, output: { status: 503, body: { error: "down" } } });
    expect(run.steps[0]!.error).toMatch(/answered 503/);
    expect(String(run.error)).toMatch(/^Step "notify" failed after 5 attempt\(s\): .*answered 503/);
  });

  it("carry on after a failed attempt once the target recovers", async () => {
    receiver.script({ status: 500 }, { status: 500 });
    const automation = await createAutomation(resolved([httpStep({})]));
    const run = await waitForRun(String((await triggerBearer(automation, {})).body.run_id));
    expect(run.status).toBe("succeeded");
    expect(run.steps[0]).toMatchObject({ status: "succeeded", attempts: 3, error: null });
  });
});

describe("agent steps paused for review", () => {
  it("leave the run waiting, and carry on with the answer once a reviewer approves", async () => {
    const { acme, admin } = world.seeded;
    const key = (method: string, path: string, body: unknown) => api(method, path, acme.key, body);
    const provider = await key("POST", "/api/v1/ai-providers", {
      name: "scripted",
      type: "openai_compatible",
      base_url: upstream.baseUrl,
      api_key: "sk-x",
      default_model: "scripted-model",
    });
    const tool = await key("POST", "/api/v1/agents/tools", {
      name: "issue_refund",
      type: "http",
      gated: true,
      parameters: { type: "object", properties: { amount: { type: "number" } } },
      execute: { url: `${receiver.origin}/refunds` },
    });
    const agent = await key("POST", "/api/v1/agents", { ai_provider_id: provider.body.id, name: "Refunds", tool_ids: [tool.body.id] });
    expect(agent.status, agent.text).toBe(201);
    expect((await api("POST", "/api/gate/agents", admin.token, { name: "Refunds", agent_id: agent.body.id })).status).toBe(201);
    expect((await api("POST", "/api/gate/tools", admin.token, { name: "issue_refund", default_action: "review" })).status).toBe(201);

    upstream.script(
      { toolCalls: [{ id: "call_refund", name: "issue_refund", arguments: JSON.stringify({ amount: 500 }) }] },
      { content: "Refund of $500 issued." },
    );
    const automation = await createAutomation(
      resolved([
        { id: "refund", type: "agent", agent_id: String(agent.body.id), prompt: "Refund order {{trigger.body.order}}" },
        httpStep({ reply: "{{steps.refund.output.text}}" }),
      ]),
    );
    const runId = String((await triggerBearer(automation, { order: "o-7" })).body.run_id);
    const waiting = await waitForRun(runId, ["waiting"]);
    expect(waiting.status).toBe("waiting");
    expect(waiting.steps.map((step) => [step.id, step.status])).toEqual([["refund", "waiting"]]);
    const generationId = String(waiting.steps[0]!.output!.generation_id);

    const threads = await api("GET", "/api/gate/threads", admin.token);
    const thread = (threads.body.data as Array<{ thread_id: string; task_id: string }>).find(
      (candidate) => candidate.task_id === generationId,
    );
    expect(thread, threads.text).toBeDefined();
    expect(
      (await api("POST", `/api/gate/threads/${thread!.thread_id}/decision`, admin.token, { action: "approve", message: "ok" })).status,
    ).toBe(200);

    const done = await waitForRun(runId);
    expect(done.status).toBe("succeeded");
    expect(done.steps.map((step) => [step.id, step.status])).toEqual([
      ["refund", "succeeded"],
      ["notify", "succeeded"],
    ]);
    expect(done.steps[0]!.output).toMatchObject({ text: "Refund of $500 issued." });
    const notified = receiver.received.find((delivery) => delivery.path === "/hook");
    expect(JSON.parse(notified!.rawBody.toString()) as unknown).toEqual({ reply: "Refund of $500 issued." });
  });
});

describe("delay steps", () => {
  it("wait by rescheduling the run, then carry on", async () => {
    const automation = await createAutomation(resolved([{ id: "pause", type: "delay", seconds: 2 }, httpStep({ after: "delay" })]));
    const started = Date.now();
    const runId = String((await triggerBearer(automation, {})).body.run_id);
    const waiting = await waitForRun(runId, ["waiting"]);
    expect(waiting.status).toBe("waiting");
    expect(waiting.steps[0]).toMatchObject({ id: "pause", status: "succeeded", output: { resume_at: expect.any(String) } });
    await receiver.waitFor(1, 10_000);
    expect(receiver.received[0]!.receivedAt - started).toBeGreaterThanOrEqual(1_900);
    expect((await waitForRun(runId)).status).toBe("succeeded");
  });
});

describe("reruns", () => {
  it("run the same payload again as a new run", async () => {
    const automation = await createAutomation(resolved([httpStep({ order: "{{trigger.body.order}}" })]));
    const first = String((await triggerBearer(automation, { order: "o-42" })).body.run_id);
    await waitForRun(first);
    const again = await api("POST", `/api/automation-runs/${first}/rerun`, world.seeded.admin.token);
    expect(again.status).toBe(202);
    expect(again.body.run_id).not.toBe(first);
    const rerun = await waitForRun(String(again.body.run_id));
    expect(rerun).toMatchObject({ status: "succeeded", rerun_of: first, payload: { order: "o-42" } });
    expect(receiver.received.map((delivery) => JSON.parse(delivery.rawBody.toString()) as unknown)).toEqual([
      { order: "o-42" },
      { order: "o-42" },
    ]);
    expect((await api("POST", `/api/automation-runs/${first}/rerun`, world.seeded.member.token)).status).toBe(403);
  });
});

describe("managing automations", () => {
  it("shows the trigger's secrets once; rotating replaces them", async () => {
    const automation = await createAutomation(resolved([httpStep({})]));
    expect(automation.bearer).toMatch(/^ats_/);
    expect(automation.signing).toMatch(/^whsec_/);
    expect(automation.body.trigger).toMatchObject({
      id: expect.stringMatching(/^trg_/),
      url: expect.stringMatching(new RegExp(`^${PUBLIC_URL}/api/webhooks/automations/trg_`)),
    });
    const token = world.seeded.admin.token;
    const reads = [
      await api("GET", `/api/automations/${automation.id}`, token),
      await api("GET", "/api/automations", token),
      await api("PATCH", `/api/automations/${automation.id}`, token, { name: "Renamed" }),
      await api("POST", `/api/automations/${automation.id}/publish`, token),
    ];
    for (const read of reads) {
      expect(read.status).toBe(200);
      expect(read.text).not.toContain(automation.bearer);
      expect(read.text).not.toContain(automation.signing);
    }
    const rotated = await api("POST", `/api/automations/${automation.id}/trigger-secret`, token);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ bearer_secret: expect.stringMatching(/^ats_/), signing_secret: expect.stringMatching(/^whsec_/) });
    expect((await triggerBearer(automation, {})).status).toBe(401);
    expect((await triggerSigned(automation, {})).status).toBe(401);
    const fresh = { ...automation, bearer: String(rotated.body.bearer_secret), signing: String(rotated.body.signing_secret) };
    for (const accepted of [await triggerBearer(fresh, {}), await triggerSigned(fresh, {})]) {
      expect(accepted.status).toBe(202);
      await waitForRun(String(accepted.body.run_id));
    }
  });

  it("keeps http steps' header values out of every answer and the run history, and sends them", async () => {
    const token = world.seeded.admin.token;
    const automation = await createAutomation(
      resolved([httpStep({}, { headers: { Authorization: "Bearer hook-secret-123", "X-Plain": "shown?" } })]),
    );
    expect(JSON.stringify(automation.body)).not.toContain("hook-secret-123");
    const read = await api("GET", `/api/automations/${automation.id}`, token);
    expect(read.text).not.toContain("hook-secret-123");
    expect((read.body.published_steps as Array<{ headers: unknown }>)[0]!.headers).toEqual({
      Authorization: "********",
      "X-Plain": "********",
    });
    // The mask sent back keeps the stored value; a new value replaces it.
    const steps = read.body.steps as Array<Record<string, unknown>>;
    const kept = await api("PATCH", `/api/automations/${automation.id}`, token, {
      steps: [{ ...steps[0], headers: { Authorization: "********", "X-Plain": "now this" } }],
    });
    expect(kept.status, kept.text).toBe(200);
    await api("POST", `/api/automations/${automation.id}/publish`, token);
    const run = await waitForRun(String((await triggerBearer(automation, {})).body.run_id));
    expect(run.status).toBe("succeeded");
    expect(receiver.received[0]!.headers.authorization).toBe("Bearer hook-secret-123");
    expect(receiver.received[0]!.headers["x-plain"]).toBe("now this");
    expect(JSON.stringify(run)).not.toContain("hook-secret-123");
    expect(run.steps[0]!.input.headers).toEqual({ Authorization: "********", "X-Plain": "********" });
  });

  it("keeps running the published snapshot while the draft changes, until published again", async () => {
    const automation = await createAutomation(resolved([httpStep({ version: "1" })]));
    const token = world.seeded.admin.token;
    const edited = await api("PATCH", `/api/automations/${automation.id}`, token, { steps: resolved([httpStep({ version: "2" })]) });
    expect(edited.body).toMatchObject({ status: "published", has_unpublished_changes: true });
    await waitForRun(String((await triggerBearer(automation, {})).body.run_id));
    const republished = await api("POST", `/api/automations/${automation.id}/publish`, token);
    expect(republished.body).toMatchObject({ has_unpublished_changes: false });
    await waitForRun(String((await triggerBearer(automation, {})).body.run_id));
    expect(receiver.received.map((delivery) => JSON.parse(delivery.rawBody.toString()) as unknown)).toEqual([
      { version: "1" },
      { version: "2" },
    ]);
  });

  it("validates steps with the same schemas as the dashboard", async () => {
    const token = world.seeded.admin.token;
    const invalid = [
      [
        { id: "a", type: "delay", seconds: 1 },
        { id: "a", type: "delay", seconds: 2 },
      ],
      [{ id: "b", type: "delay", seconds: 90_000 }],
      [{ id: "c", type: "http", method: "DELETE", url: "https://example.com" }],
      [
        { id: "later", type: "delay", seconds: 1 },
        { id: "check", type: "condition", field: "trigger.body.x", operator: "exists", else_step: "later" },
      ],
      [{ id: "d", type: "condition", field: "{{trigger.body.x}}", operator: "exists" }],
      [{ id: "Bad-Id", type: "delay", seconds: 1 }],
    ];
    for (const steps of invalid) {
      const reply = await api("POST", "/api/automations", token, { name: "Invalid", steps });
      expect(reply.status, JSON.stringify(steps)).toBe(422);
      expect(reply.body).toMatchObject({ error: { code: "VALIDATION_ERROR" } });
    }
    const foreignAgent = await api("POST", "/api/automations", token, {
      name: "Foreign",
      steps: [{ id: "x", type: "agent", agent_id: world.seeded.globex.agent.publicId, prompt: "hi" }],
    });
    expect(foreignAgent.status).toBe(422);
    const empty = await api("POST", "/api/automations", token, { name: "Empty" });
    expect((await api("POST", `/api/automations/${String(empty.body.id)}/publish`, token)).status).toBe(400);
  });

  it("lets members read, only owners and admins change, and other organisations see nothing", async () => {
    const automation = await createAutomation(resolved([httpStep({})]));
    const runId = String((await triggerBearer(automation, {})).body.run_id);
    await waitForRun(runId);
    const { member, reviewer, mallory } = world.seeded;
    expect((await api("GET", `/api/automations/${automation.id}`, member.token)).status).toBe(200);
    expect((await api("GET", `/api/automation-runs/${runId}`, member.token)).status).toBe(200);
    expect((await api("PATCH", `/api/automations/${automation.id}`, member.token, { name: "x" })).status).toBe(403);
    expect((await api("POST", `/api/automations/${automation.id}/publish`, member.token)).status).toBe(403);
    expect((await api("GET", `/api/automations/${automation.id}`, reviewer.token)).status).toBe(403);
    for (const [method, path] of [
      ["GET", `/api/automations/${automation.id}`],
      ["PATCH", `/api/automations/${automation.id}`],
      ["DELETE", `/api/automations/${automation.id}`],
      ["GET", `/api/automations/${automation.id}/runs`],
      ["POST", `/api/automations/${automation.id}/trigger-secret`],
      ["GET", `/api/automation-runs/${runId}`],
      ["POST", `/api/automation-runs/${runId}/rerun`],
    ] as const) {
      const reply = await api(method, path, mallory.token, method === "PATCH" ? { name: "mine" } : undefined);
      expect(reply.status, `${method} ${path}`).toBe(404);
    }
    const theirs = await api("GET", "/api/automations", mallory.token);
    expect(theirs.body.data).toEqual([]);
    expect((await api("DELETE", `/api/automations/${automation.id}`, world.seeded.admin.token)).status).toBe(204);
    expect((await triggerBearer(automation, {})).status).toBe(404);
  });
});

describe("events", () => {
  it("tell the organisation's endpoints how each run ended, signed the Standard Webhooks way", async () => {
    const events = await startWebhookReceiver();
    try {
      const reply = await api("POST", "/api/webhook-endpoints", world.seeded.admin.token, {
        url: events.url,
        event_types: ["automation.run.completed", "automation.run.failed"],
      });
      expect(reply.status, reply.text).toBe(201);
      const secret = String(reply.body.secret);

      const fine = await createAutomation(resolved([httpStep({ note: "fine" })]));
      const fineRun = String((await triggerBearer(fine, {})).body.run_id);
      const broken = await createAutomation([{ id: "steal", type: "http", method: "GET", url: "http://169.254.169.254/latest" }]);
      const brokenRun = String((await triggerBearer(broken, {})).body.run_id);
      await waitForRun(fineRun);
      await waitForRun(brokenRun);

      await expect.poll(() => events.received.length, { timeout: 15_000 }).toBe(2);
      const received = events.received.map(
        (request) =>
          new Webhook(secret).verify(request.rawBody.toString("utf8"), {
            "webhook-id": String(request.headers["webhook-id"]),
            "webhook-timestamp": String(request.headers["webhook-timestamp"]),
            "webhook-signature": String(request.headers["webhook-signature"]),
          }) as { type: string; data: Record<string, unknown> },
      );
      const byRun = Object.fromEntries(received.map((event) => [String(event.data.run_id), event]));
      expect(byRun[fineRun]).toMatchObject({
        type: "automation.run.completed",
        data: { automation_id: fine.id, run_id: fineRun, started_at: expect.any(String), finished_at: expect.any(String) },
      });
      expect(byRun[brokenRun]).toMatchObject({
        type: "automation.run.failed",
        data: { automation_id: broken.id, run_id: brokenRun, error: expect.stringContaining('Step "steal" failed') },
      });
    } finally {
      await events.close();
    }
  });
});
