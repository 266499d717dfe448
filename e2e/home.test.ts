import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorld, type World } from "../test/support/app";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

let world: World<undefined>;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}; install Debian's chromium (see .ci/run)`);
  world = await startWorld({ seed: async () => undefined, backend: "pglite" });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

describe("home page in a real browser", () => {
  it("introduces Conduit and lists its endpoints", async () => {
    const page = await browser.newPage();
    const response = await page.goto(world.app.url);
    expect(response?.status()).toBe(200);
    await expect(page.locator("h1").textContent()).resolves.toBe("Conduit");
    const endpoints = await page.locator("li code").allTextContents();
    expect(endpoints).toContain("POST /api/agents/{agentId}/chat");
    expect(endpoints).toContain("POST /api/v1/chat");
    await page.close();
  });
});
