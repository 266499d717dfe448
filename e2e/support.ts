import { readFileSync } from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

export interface Demo {
  apiKey: string;
  agentId: string;
  admin: { email: string; password: string };
  /** The demo admin's personal access token, for the administration API (`/api/gate…`, `/api/api-keys…`). */
  userToken: string;
}

/** The demo the server seeded on its first start (see playwright.config.ts). */
export function demo(): Demo {
  const dataDir = process.env.CONDUIT_E2E_DATA_DIR;
  if (!dataDir) throw new Error("CONDUIT_E2E_DATA_DIR is not set; run the browser tests with `npx playwright test`");
  return JSON.parse(readFileSync(path.join(dataDir, "demo.json"), "utf8")) as Demo;
}

let counter = 0;
/** An email address no other test uses. */
export function uniqueEmail(label: string): string {
  counter += 1;
  return `${label}-${Date.now().toString(36)}-${counter}@example.test`;
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Zero serious or critical accessibility violations, and a screenshot kept as an artefact. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join("test-results", "screens", `${name}.png`), fullPage: true });
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  expect(serious.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
}
