import { expect, test, type APIRequestContext } from "@playwright/test";
import { checkPage, demo, signIn } from "./support";

/** A 1×1 PNG, plain base64 as a gate agent may send it. */
const PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

const unique = (label: string) => `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

/**
 * What a client does before anyone reviews: with the admin's personal token, register a tool that
 * goes to review (and escalates large amounts) and a gate agent with signed approval tokens.
 */
async function gateAgent(request: APIRequestContext): Promise<{ key: string; tool: string }> {
  const admin = { Authorization: `Bearer ${demo().userToken}` };
  const tool = unique("issue_refund");
  const created = await request.post("/api/gate/tools", {
    headers: admin,
    data: {
      name: tool,
      default_action: "review",
      rules: [{ type: "upper_limit", parameter: "amount", value: 1000, action: "escalate" }],
    },
  });
  expect(created.status()).toBe(201);
  const agent = await request.post("/api/gate/agents", { headers: admin, data: { name: "Support bot", signed_tokens_enabled: true } });
  expect(agent.status()).toBe(201);
  const { key } = (await agent.json()) as { key: string };
  expect(key).toMatch(/^sg_/);
  return { key, tool };
}

async function askApproval(
  request: APIRequestContext,
  gate: { key: string; tool: string },
  taskId: string,
  fields: { subject: string; amount: number; risk_level?: string; images?: string[] },
): Promise<string> {
  const reply = await request.post(`/api/agent/tasks/${encodeURIComponent(taskId)}/requests`, {
    headers: { Authorization: `Bearer ${gate.key}` },
    data: {
      workflow_name: "Customer Support",
      task_label: `Refund request - ${taskId}`,
      tool_name: gate.tool,
      subject: fields.subject,
      risk_level: fields.risk_level,
      summary: ["Order placed 14 days ago via web", "No tracking movement after day 2"],
      payload: { amount: fields.amount, currency: "usd", order_id: "ord_8821" },
      images: fields.images,
    },
  });
  expect(reply.status()).toBe(200);
  const body = (await reply.json()) as { status: string; thread_id: string };
  expect(body.status).toBe("pending_review");
  return body.thread_id;
}

test("a reviewer approves a pending request in the browser and the agent gets the decision and a token that validates", async ({
  page,
  request,
}) => {
  const gate = await gateAgent(request);
  const taskId = unique("task");
  const subject = `Issue refund of $500 to customer ${taskId}`;
  const event = await request.post(`/api/agent/tasks/${taskId}/events`, {
    headers: { Authorization: `Bearer ${gate.key}` },
    data: { event_type: "task.started", event_summary: "Customer asked for a refund of order #8821", payload: { order_id: "ord_8821" } },
  });
  expect(event.status()).toBe(201);
  const threadId = await askApproval(request, gate, taskId, { subject, amount: 500, risk_level: "critical", images: [PIXEL_PNG] });

  const { admin } = demo();
  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.getByRole("link", { name: "Reviews" }).click();
  await expect(page.getByRole("heading", { name: "Reviews" })).toBeVisible();
  await expect(page.getByTestId("review-thread").first()).toContainText(subject);
  await checkPage(page, "reviews");

  await page.getByRole("link", { name: subject }).click();
  await expect(page).toHaveURL(new RegExp(`/dashboard/reviews/${threadId}$`));
  await expect(page.getByRole("heading", { name: subject })).toBeVisible();
  await expect(page.getByLabel("Payload of the request")).toContainText('"amount": 500');
  const image = page.getByRole("img", { name: "Image 1 of 1 attached to the request" });
  await expect(image).toBeVisible();
  expect(await image.evaluate((element: HTMLImageElement) => element.naturalWidth)).toBe(1);
  await expect(page.getByText("Customer asked for a refund of order #8821")).toBeVisible();
  await expect(page.getByTestId("decision-history")).toContainText("Sent for human review by the tool's default action.");
  await checkPage(page, "review-thread");

  // The message is required, in the browser as on the server.
  await page.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByText("Write a message for the agent")).toBeVisible();

  const message = "Approved. Verified with customer history.";
  await page.getByLabel("Message to the agent").fill(message);
  await page.getByRole("button", { name: "Approve" }).click();
  // Final: the buttons are gone and the decision shows.
  await expect(page.getByTestId("final-decision")).toContainText(message);
  await expect(page.getByTestId("final-decision")).toContainText("by Demo admin");
  await expect(page.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Reject" })).toHaveCount(0);
  await expect(page.getByTestId("decision-history").getByText(message)).toBeVisible();
  await checkPage(page, "review-thread-approved");

  // The agent polls, as it would, until the decision is there.
  const agentAuth = { Authorization: `Bearer ${gate.key}` };
  let decision: { status: string; message: string; approval_token?: string } = { status: "pending_review", message: "" };
  await expect
    .poll(
      async () => {
        const reply = await request.get(`/api/agent/decisions?thread_id=${threadId}`, { headers: agentAuth });
        decision = (await reply.json()) as typeof decision;
        return decision.status;
      },
      { timeout: 15_000 },
    )
    .toBe("approved");
  expect(decision.message).toBe(message);
  expect(decision.approval_token).toEqual(expect.any(String));
  const validated = await request.post("/api/agent/approvals/validate", {
    headers: agentAuth,
    data: { task_id: taskId, signature: decision.approval_token },
  });
  expect(validated.status()).toBe(200);
  expect(await validated.json()).toEqual({ valid: true });

  // The inbox shows what awaits review: the decided thread has left it, and is found among the approved.
  await page.getByRole("link", { name: "All reviews" }).click();
  await expect(page.getByRole("link", { name: subject })).toHaveCount(0);
  await page.getByLabel("Status").selectOption("approved");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/status=approved/);
  await expect(page.getByRole("link", { name: subject })).toBeVisible();
});

test("an escalated thread is listed above a normal one, and a reviewer's escalation lifts a thread too", async ({ page, request }) => {
  const gate = await gateAgent(request);
  const escalatedSubject = unique("Refund of $5000, escalated by rule");
  const lowSubject = unique("Refund of $20");
  const laterSubject = unique("Refund of $30, escalated by a reviewer");
  // The escalated thread is the oldest: elevation, not age, puts it first.
  await askApproval(request, gate, unique("task"), { subject: escalatedSubject, amount: 5000 });
  await askApproval(request, gate, unique("task"), { subject: lowSubject, amount: 20, risk_level: "low" });
  await askApproval(request, gate, unique("task"), { subject: laterSubject, amount: 30 });

  const { admin } = demo();
  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.goto("/dashboard/reviews");
  const rows = page.getByTestId("review-thread");
  const position = async (subject: string) => (await rows.allTextContents()).findIndex((text) => text.includes(subject));
  await expect(rows.filter({ hasText: lowSubject })).toHaveCount(1);
  expect(await position(escalatedSubject)).toBeLessThan(await position(lowSubject));
  // Then the riskiest: a declared low risk outranks none.
  expect(await position(lowSubject)).toBeLessThan(await position(laterSubject));
  await expect(rows.filter({ hasText: escalatedSubject })).toContainText("Escalated");

  // Escalating in the browser keeps the thread open and moves it up among the elevated.
  await page.getByRole("link", { name: laterSubject }).click();
  await page.getByLabel("Message to the agent").fill("A manager should look at this customer.");
  await page.getByRole("button", { name: "Escalate" }).click();
  await expect(page.getByText("Escalated. The thread waits for an elevated review.")).toBeVisible();
  await expect(page.getByTestId("decision-history")).toContainText("A manager should look at this customer.");
  await expect(page.getByRole("button", { name: "Approve" })).toBeVisible();
  await page.getByRole("link", { name: "All reviews" }).click();
  await expect(rows.filter({ hasText: laterSubject })).toContainText("Escalated");
  expect(await position(laterSubject)).toBeLessThan(await position(escalatedSubject));

  // Filters are the API's: only escalated threads, then only low-risk ones.
  await page.goto("/dashboard/reviews?status=escalated");
  await expect(rows.filter({ hasText: escalatedSubject })).toHaveCount(1);
  await expect(rows.filter({ hasText: lowSubject })).toHaveCount(0);
  await page.goto("/dashboard/reviews?risk_level=low");
  await expect(rows.filter({ hasText: lowSubject })).toHaveCount(1);
  await expect(rows.filter({ hasText: escalatedSubject })).toHaveCount(0);
});

test("a thread of no organisation of yours is not found", async ({ page }) => {
  const { admin } = demo();
  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.goto("/dashboard/reviews/THR-00000000");
  await expect(page.getByText("This thread does not exist in your organisation.")).toBeVisible();
});
