import { expect, test } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { checkPage, demo, signIn } from "./support";

/*
 * An automation end to end: built in the dashboard's step editor (an agent step, then a
 * condition on its answer), published, triggered over HTTP with a Standard Webhooks signature
 * the way a caller's service would, and its run read back step by step in the dashboard.
 */

test("build, publish, trigger and inspect an automation", async ({ page, request }) => {
  const { admin } = demo();
  await signIn(page, admin.email, admin.password);
  await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Automations" }).click();
  await expect(page.getByRole("heading", { name: "Automations", level: 1 })).toBeVisible();
  await page.getByRole("link", { name: "New automation" }).click();

  const name = `Order triage ${Date.now().toString(36)}`;
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("New step").selectOption("agent");
  await page.getByRole("button", { name: "Add step" }).click();
  await page.getByLabel("New step").selectOption("condition");
  await page.getByRole("button", { name: "Add step" }).click();

  const [agentStep, conditionStep] = [page.getByTestId("step").nth(0), page.getByTestId("step").nth(1)];
  await agentStep.getByLabel("Step id").fill("answer");
  // Checked in the browser with the API's own schemas before anything is sent.
  await agentStep.getByLabel("Prompt").fill("");
  await page.getByRole("button", { name: "Create automation" }).click();
  await expect(agentStep.getByText("prompt must not be empty")).toBeVisible();
  await agentStep.getByLabel("Prompt").fill("{{trigger.body.customer}} asks: {{trigger.body.message}}");

  await conditionStep.getByLabel("Step id").fill("mentions_demo");
  await conditionStep.getByLabel("Field").fill("steps.answer.output.text");
  await conditionStep.getByLabel("Operator").selectOption("contains");
  await conditionStep.getByLabel("Value").fill("demo model");
  // Reordering: down and back up again.
  await agentStep.getByRole("button", { name: "Move down step answer" }).click();
  await expect(page.getByTestId("step").nth(0).getByLabel("Step id")).toHaveValue("mentions_demo");
  await page.getByTestId("step").nth(1).getByRole("button", { name: "Move up step answer" }).click();
  await expect(page.getByTestId("step").nth(0).getByLabel("Step id")).toHaveValue("answer");
  await checkPage(page, "automation-new");
  await page.getByRole("button", { name: "Create automation" }).click();

  const triggerUrl = (await page.getByTestId("trigger-url").textContent()) ?? "";
  const signingSecret = (await page.getByTestId("signing-secret").textContent()) ?? "";
  expect(triggerUrl).toMatch(/\/api\/webhooks\/automations\/trg_/);
  expect(signingSecret).toMatch(/^whsec_/);
  await expect(page.getByTestId("bearer-secret")).toHaveText(/^ats_/);
  await page.getByRole("link", { name: `Open ${name}` }).click();

  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByText("Draft: the trigger answers 404 until you publish.")).toBeVisible();
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(page.getByText("Published: the trigger runs these steps.")).toBeVisible();
  await checkPage(page, "automation");

  const body = JSON.stringify({ customer: "Ada", message: "Where is order 42?" });
  const id = `msg_${Date.now()}`;
  const at = new Date();
  const triggered = await request.post(triggerUrl, {
    data: body,
    headers: {
      "Content-Type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": new Webhook(signingSecret).sign(id, at, body),
    },
  });
  expect(triggered.status()).toBe(202);
  const { run_id: runId } = (await triggered.json()) as { run_id: string };

  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("link", { name: runId })).toBeVisible({ timeout: 1_000 });
  }).toPass();
  await page.getByRole("link", { name: runId }).click();
  await page.waitForURL(`**/dashboard/automations/runs/${runId}`);
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 1_000 });
  }).toPass();

  const steps = page.getByTestId("run-step");
  await expect(steps).toHaveCount(2);
  await expect(steps.nth(0)).toContainText("answer");
  await expect(steps.nth(0)).toContainText("Ada asks: Where is order 42?");
  await expect(steps.nth(0)).toContainText("demo model");
  await expect(steps.nth(1)).toContainText("mentions_demo");
  await expect(steps.nth(1)).toContainText('"result": true');
  await expect(page.getByText('"customer": "Ada"')).toBeVisible();
  await checkPage(page, "automation-run");

  await page.getByRole("button", { name: "Rerun" }).click();
  await expect(page.getByRole("heading", { name: /^Run atr_/, level: 1 })).not.toHaveText(`Run ${runId}`);
  await expect(page.getByText(`repeating ${runId}`)).toBeVisible();
});
