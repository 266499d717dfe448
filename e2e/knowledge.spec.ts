import { resolve } from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { minimalPdf } from "../test/support/pdf";
import { startUpstreamProcess } from "../bench/processes";
import { checkPage, demo, signIn, uniqueEmail } from "./support";

/*
 * Knowledge end to end in the dashboard: a Markdown document and a PDF uploaded through the page
 * and found by its search, one deleted and gone from search; a memory with a tagged entry; and an
 * agent whose knowledge names the document answering from it (the offline demo model quotes the
 * first source it was given).
 */

const run = Date.now().toString(36);
const markdownPath = `e2e-${run}/returns.md`;
const pdfName = `e2e-${run}-manual.pdf`;

async function openKnowledge(page: Page): Promise<void> {
  const { admin } = demo();
  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Knowledge" }).click();
  await expect(page.getByRole("heading", { name: "Knowledge", level: 1 })).toBeVisible();
}

async function searchFor(page: Page, query: string) {
  await page.getByLabel("Query").fill(query);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(query).replaceAll("%20", "\\+")}`));
  return page.getByTestId("passage");
}

/** Uploads pasted text at `path` (Markdown when asked), and waits for the page to confirm it. */
async function uploadText(page: Page, path: string, text: string, contentType?: "text/markdown"): Promise<void> {
  await page.getByLabel("Path (optional for a file)").fill(path);
  await page.getByLabel("Or paste the text").fill(text);
  if (contentType) await page.getByLabel("Type").selectOption(contentType);
  await page.getByRole("button", { name: "Upload document" }).click();
  await expect(page.getByText(`${path} uploaded; it is searchable now.`)).toBeVisible();
}

const documentRow = (page: Page, path: string) =>
  page.getByTestId("document").filter({ has: page.getByRole("cell", { name: path, exact: true }) });

test("an admin uploads Markdown and a PDF, finds both by search, and deletes one", async ({ page }) => {
  await openKnowledge(page);
  await checkPage(page, "knowledge");

  // Neither a file nor text: refused next to the form, nothing stored.
  await page.getByRole("button", { name: "Upload document" }).click();
  await expect(page.getByText("Choose a file, or paste the text and give it a path")).toBeVisible();

  // A file over the size cap (1 MB by default) is refused with the reason.
  await page.getByLabel("File (text, Markdown, HTML or PDF)").setInputFiles({
    name: `e2e-${run}-big.txt`,
    mimeType: "text/plain",
    buffer: Buffer.alloc(1024 * 1024 + 1, "a"),
  });
  await page.getByRole("button", { name: "Upload document" }).click();
  await expect(page.getByText(`Document is ${1024 * 1024 + 1} bytes; at most ${1024 * 1024} are accepted`)).toBeVisible();
  await page.getByLabel("File (text, Markdown, HTML or PDF)").setInputFiles([]);

  await uploadText(
    page,
    markdownPath,
    "# Returns\n\n## Window\n\nParcels may be returned within forty-five days of delivery.",
    "text/markdown",
  );
  await expect(documentRow(page, markdownPath)).toContainText("text/markdown");
  await expect(page.getByTestId("document").filter({ hasText: `e2e-${run}-big.txt` })).toHaveCount(0);

  await page.getByLabel("File (text, Markdown, HTML or PDF)").setInputFiles({
    name: pdfName,
    mimeType: "application/pdf",
    buffer: minimalPdf([["Espresso machine manual"], ["Descaling: run citric acid through the boiler monthly."]]),
  });
  await page.getByRole("button", { name: "Upload document" }).click();
  await expect(page.getByText(`${pdfName} uploaded; it is searchable now.`)).toBeVisible();
  const pdfRow = documentRow(page, pdfName);
  await expect(pdfRow).toContainText("application/pdf");
  // One passage a page.
  await expect(pdfRow.getByRole("cell").nth(3)).toHaveText("2");

  const returns = await searchFor(page, "forty-five days returned");
  await expect(returns.first()).toContainText(`${markdownPath} › Returns › Window`);
  await expect(returns.first()).toContainText("Parcels may be returned within forty-five days");
  await expect(returns.first().getByRole("cell").first()).toHaveText(/^(0|1)\.\d\d$/);
  const descaling = await searchFor(page, "descaling citric acid");
  await expect(descaling.first()).toContainText(`${pdfName} › p. 2`);
  await expect(descaling.first()).toContainText("run citric acid through the boiler");
  await checkPage(page, "knowledge-search");

  // Deleting asks first, and the PDF's passages leave search at once.
  await documentRow(page, pdfName)
    .getByRole("button", { name: `Delete ${pdfName}` })
    .click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete document" }).click();
  await expect(documentRow(page, pdfName)).toHaveCount(0);
  await expect(await searchFor(page, "descaling citric acid")).toHaveCount(0);
  await expect(page.getByText('Nothing matches "descaling citric acid".')).toBeVisible();
});

test("an admin creates a memory and adds an entry with tags", async ({ page }) => {
  await openKnowledge(page);
  const name = `Customer notes ${run}`;
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Description (optional)").fill("What support learned about customers");
  await page.getByRole("button", { name: "Create memory" }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByText("No entries yet.")).toBeVisible();

  await page.getByLabel("Entry").fill(`Customer ${run} prefers email over phone calls.`);
  await page.getByLabel("Tags (comma-separated, optional)").fill("preferences, vip");
  await page.getByRole("button", { name: "Add entry" }).click();
  const entry = page.getByTestId("memory-entry").filter({ hasText: `Customer ${run} prefers email` });
  await expect(entry).toBeVisible();
  await expect(entry.getByText("preferences", { exact: true })).toBeVisible();
  await expect(entry.getByText("vip", { exact: true })).toBeVisible();
  await checkPage(page, "knowledge-memory");

  // The entry is found by the knowledge search, with its tags and a link back to its memory.
  await page.getByRole("link", { name: "All knowledge" }).click();
  const found = await searchFor(page, `${run} prefers email`);
  await expect(found.first()).toContainText("preferences, vip");
  await expect(page.getByRole("table", { name: "Memories" }).getByRole("link", { name })).toBeVisible();
});

test("an agent whose knowledge names a document answers from its passage", async ({ page }) => {
  const { apiKey } = demo();
  await openKnowledge(page);
  const path = `e2e-${run}/warranty.md`;
  await uploadText(page, path, "# Warranty\n\nEvery kettle carries a quadrennial warranty against limescale.", "text/markdown");

  await page.goto("/dashboard/agents");
  await page.getByRole("link", { name: "New agent" }).click();
  const agentName = `Warranty helper ${run}`;
  await page.getByLabel("Name").fill(agentName);
  await page.getByLabel("Instructions").fill("You answer warranty questions.");
  await page.getByRole("button", { name: "Create agent" }).click();
  await expect(page.getByRole("heading", { name: agentName })).toBeVisible();
  const agentId = new URL(page.url()).pathname.split("/").at(-1)!;

  const configured = await page.request.put(`/api/v1/agents/${agentId}`, {
    headers: { Authorization: `Bearer ${apiKey}` },
    data: { knowledge_config: { document_paths: [path] } },
  });
  expect(configured.status(), await configured.text()).toBe(200);

  await page.getByLabel("Message").fill("How long is the kettle warranty?");
  await page.getByLabel("Message").press("Enter");
  await expect(page.getByTestId("try-status")).toContainText("Completed", { timeout: 30_000 });
  await expect(page.getByTestId("try-reply")).toContainText(`[1] ${path} › Warranty says: "Every kettle carries a quadrennial warranty`);
});

/** A member invited by the demo admin, signed in through the invitation in a browser of their own. */
async function signedInMember(browser: Browser, admin: Page): Promise<Page> {
  const email = uniqueEmail("knowledge-member");
  await admin.goto("/dashboard/settings/members");
  await admin.getByLabel("Email").fill(email);
  await admin.getByLabel("Role", { exact: true }).selectOption("member");
  await admin.getByRole("button", { name: "Create invitation link" }).click();
  const link = (await admin.getByTestId("invitation-link").textContent())!.trim();
  const member = await (await browser.newContext()).newPage();
  await member.goto(link);
  await member.getByLabel("Your name").fill("Knowledge reader");
  await member.getByLabel("Password (12 characters or more)").fill("a long enough password");
  await member.getByRole("button", { name: "Create account and join" }).click();
  await expect(member).toHaveURL(/\/dashboard$/);
  return member;
}

test("a member lists and searches knowledge but is offered no changes", async ({ page, browser }) => {
  await openKnowledge(page);
  const path = `e2e-${run}/members.md`;
  await uploadText(page, path, "Members may read the lighthouse logbook.");

  const member = await signedInMember(browser, page);
  await member.goto("/dashboard/knowledge");
  await expect(documentRow(member, path)).toBeVisible();
  await expect(documentRow(member, path).getByRole("button")).toHaveCount(0);
  await expect(member.getByRole("button", { name: "Upload document" })).toHaveCount(0);
  await expect(member.getByRole("button", { name: "Create memory" })).toHaveCount(0);
  const found = await searchFor(member, "lighthouse logbook");
  await expect(found.first()).toContainText(path);
  await member.context().close();
});

test("a document stored before the organisation had an embedding model is embedded once it has one", async ({ page }) => {
  const upstream = await startUpstreamProcess(resolve(__dirname, ".."), "localhost");
  try {
    await openKnowledge(page);
    const path = `e2e-${run}/meaning.md`;
    await uploadText(page, path, "Automobiles are washed on Fridays.");
    const byMeaning = documentRow(page, path).getByRole("cell").nth(4);
    await expect(byMeaning).toHaveText("Words only");

    // An embedding model, on a provider of its own (http://localhost is allowed by playwright.config.ts).
    await page.goto("/dashboard/settings/providers");
    const providerName = `Embeddings ${run}`;
    await page.getByLabel("Name").fill(providerName);
    await page.getByLabel("Base URL").fill(upstream.baseUrl);
    await page.getByLabel("Embedding model (for knowledge search by meaning)").fill("e2e-embedding");
    await page.getByLabel("API key (stored encrypted, never shown)").fill("sk-e2e-embeddings");
    await page.getByRole("button", { name: "Add provider" }).click();
    const row = page.getByTestId("provider-row").filter({ hasText: providerName });
    await expect(row).toBeVisible();

    // The backfill embeds the passage in the background with the new model; the page counts it once done.
    await expect(async () => {
      await page.goto("/dashboard/knowledge");
      await expect(byMeaning).toHaveText("1 of 1", { timeout: 1000 });
    }).toPass({ timeout: 20_000 });

    // Other specs expect the organisation without one.
    await page.goto("/dashboard/settings/providers");
    await row.getByRole("link", { name: providerName }).click();
    await page.getByRole("button", { name: "Delete provider" }).click();
    await page.getByRole("button", { name: `Delete ${providerName}` }).click();
    await expect(page.getByTestId("provider-row").filter({ hasText: providerName })).toHaveCount(0);
  } finally {
    await upstream.stop();
  }
});
