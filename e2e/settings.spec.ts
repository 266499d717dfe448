import path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { checkPage, demo, signIn, uniqueEmail } from "./support";

/**
 * Settings with several people at once: the demo admin (the organisation's only owner) invites by
 * link, newcomers sign up through the links, and each role meets the server's refusals.
 */

const ADMIN_STATE = path.join("test-results", "settings-admin-state.json");
const PASSWORD = "a long enough password";

let orgName = "";

test.describe.configure({ mode: "serial" });

// One sign-in for the admin (sign-ins are throttled per email), reused by every test.
test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const { admin } = demo();
  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/dashboard$/);
  orgName = (await page.getByTestId("organisation").textContent())?.trim() ?? "";
  expect(orgName).not.toBe("");
  await context.storageState({ path: ADMIN_STATE });
  await context.close();
});

async function adminPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ storageState: ADMIN_STATE });
  return context.newPage();
}

/** The admin creates an invitation on the members page; the link, shown once. */
async function invite(admin: Page, email: string, role: string): Promise<string> {
  await admin.goto("/dashboard/settings/members");
  await admin.getByLabel("Email").fill(email);
  await admin.getByLabel("Role", { exact: true }).selectOption(role);
  await admin.getByRole("button", { name: "Create invitation link" }).click();
  const link = admin.getByTestId("invitation-link");
  await expect(link).toContainText("/invite/cdti_");
  return (await link.textContent())!.trim();
}

/** A visitor opens the link in a fresh browser and signs up through it. */
async function joinThrough(browser: Browser, link: string, email: string, name: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(link);
  await expect(page.getByRole("heading", { name: `Join ${orgName}` })).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Password (12 characters or more)").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("organisation")).toHaveText(orgName);
  return page;
}

async function invited(browser: Browser, role: "member" | "reviewer" | "admin", label: string) {
  const admin = await adminPage(browser);
  const email = uniqueEmail(label.toLowerCase().replace(/\W+/g, "-"));
  const link = await invite(admin, email, role);
  const page = await joinThrough(browser, link, email, label);
  await admin.context().close();
  return { page, email, link, name: label };
}

/** Switches a read-only form back on in the browser, as a forger would, and submits it. */
async function forgeOrganisationSave(page: Page, name: string) {
  await page.goto("/dashboard/settings");
  await expect(page.getByLabel("Name", { exact: true })).toBeDisabled();
  await page.locator("fieldset[disabled]").evaluate((fieldset: HTMLFieldSetElement) => {
    fieldset.disabled = false;
  });
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Save" }).click();
}

test("invitations by link: a member and a reviewer sign up through them and land in the organisation with those roles; a link works once", async ({
  browser,
}) => {
  const admin = await adminPage(browser);
  const memberEmail = uniqueEmail("member");
  const reviewerEmail = uniqueEmail("reviewer");
  const memberLink = await invite(admin, memberEmail, "member");
  await checkPage(admin, "settings-members");
  const reviewerLink = await invite(admin, reviewerEmail, "reviewer");
  const pending = admin.getByTestId("invitation-row");
  await expect(pending.filter({ hasText: memberEmail })).toContainText("member");
  await expect(pending.filter({ hasText: reviewerEmail })).toContainText("reviewer");

  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(memberLink);
  await expect(visitor.getByText(`You are invited to join ${orgName} as member`)).toBeVisible();
  await checkPage(visitor, "invitation");
  await visitor.context().close();

  const member = await joinThrough(browser, memberLink, memberEmail, "Invited member");
  await expect(member.getByTestId("signed-in-as")).toHaveText(`${memberEmail} · member`);
  const reviewer = await joinThrough(browser, reviewerLink, reviewerEmail, "Invited reviewer");
  await expect(reviewer.getByTestId("signed-in-as")).toHaveText(`${reviewerEmail} · reviewer`);

  // A member cannot mint a key: the keys page offers no form, and the server refuses the API call
  // made with a token the member created in the browser.
  await member.goto("/dashboard/keys");
  await expect(member.getByRole("heading", { name: "API keys" })).toBeVisible();
  await expect(member.getByRole("link", { name: "Create key" })).toHaveCount(0);
  await member.goto("/dashboard/tokens");
  await member.getByLabel("Name").fill("member laptop");
  await member.getByRole("button", { name: "Create token" }).click();
  const memberToken = (await member.getByTestId("new-token-secret").textContent())?.trim() ?? "";
  expect(memberToken).toMatch(/^cdtu_/);
  const minted = await member.request.post("/api/api-keys", {
    headers: { Authorization: `Bearer ${memberToken}` },
    data: { label: "admin key please" },
  });
  expect(minted.status()).toBe(403);
  expect(((await minted.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");

  // Both are members now, and their invitations have left the pending list.
  await admin.goto("/dashboard/settings/members");
  await expect(admin.getByTestId("member-row").filter({ hasText: memberEmail })).toContainText("member");
  await expect(admin.getByTestId("member-row").filter({ hasText: reviewerEmail })).toContainText("reviewer");
  await expect(admin.getByTestId("invitation-row").filter({ hasText: memberEmail })).toHaveCount(0);

  // Used links are spent.
  const late = await (await browser.newContext()).newPage();
  await late.goto(memberLink);
  await expect(late.getByRole("heading", { name: "This invitation cannot be used" })).toBeVisible();
  await expect(late.getByRole("alert").filter({ hasText: "already been used" })).toBeVisible();
  await expect(late.getByRole("button", { name: "Create account and join" })).toHaveCount(0);
});

test("someone with an organisation of their own signs in through a link, joins, and switches between the two", async ({ browser }) => {
  const email = uniqueEmail("two-orgs");
  const ownOrg = `Own org ${Date.now().toString(36)}`;
  const signUpPage = await (await browser.newContext()).newPage();
  await signUpPage.goto("/sign-up");
  await signUpPage.getByLabel("Your name").fill("Two orgs");
  await signUpPage.getByLabel("Email").fill(email);
  await signUpPage.getByLabel("Password (12 characters or more)").fill(PASSWORD);
  await signUpPage.getByLabel("Organisation").fill(ownOrg);
  await signUpPage.getByRole("button", { name: "Create account" }).click();
  await expect(signUpPage.getByTestId("organisation")).toHaveText(ownOrg);
  await signUpPage.context().close();

  const admin = await adminPage(browser);
  const link = await invite(admin, email, "member");

  // In a browser without a session, the link offers sign-in, which comes back to the invitation.
  const page = await (await browser.newContext()).newPage();
  await page.goto(link);
  await page.getByRole("link", { name: "Sign in to accept" }).click();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`/invite/cdti_`));
  await page.getByRole("button", { name: `Join ${orgName}` }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("organisation")).toHaveText(orgName);
  await expect(page.getByTestId("signed-in-as")).toHaveText(`${email} · member`);

  // Memberships are per organisation: the switcher goes back to their own, where they are owner.
  await page.getByLabel("Organisation", { exact: true }).selectOption({ label: ownOrg });
  await page.getByRole("button", { name: "Switch" }).click();
  await expect(page.getByTestId("organisation")).toHaveText(ownOrg);
  await expect(page.getByTestId("signed-in-as")).toHaveText(`${email} · owner`);
  await checkPage(page, "organisation-switcher");
});

test("a member reads settings but cannot change them, even by forging the form; providers are theirs to read only", async ({ browser }) => {
  const { page } = await invited(browser, "member", "Forging member");
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByText("Only owners and admins change these settings; your role is member.")).toBeVisible();
  await checkPage(page, "settings-read-only");
  await forgeOrganisationSave(page, "Taken over");
  await expect(page.getByRole("alert").filter({ hasText: "This needs the role owner or admin; your role is member" })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue(orgName);

  await page.goto("/dashboard/settings/providers");
  await expect(page.getByRole("heading", { name: "AI providers" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Add provider" })).toHaveCount(0);
  await page.goto("/dashboard/settings/members");
  await expect(page.getByTestId("member-row").first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Change role" })).toHaveCount(0);
});

test("a reviewer sees Reviews, and is refused settings changes", async ({ browser }) => {
  const { page } = await invited(browser, "reviewer", "Refused reviewer");
  await page.getByRole("link", { name: "Reviews" }).click();
  await expect(page.getByRole("heading", { name: "Reviews" })).toBeVisible();
  await forgeOrganisationSave(page, "Reviewed away");
  await expect(page.getByRole("alert").filter({ hasText: "This needs the role owner or admin; your role is reviewer" })).toBeVisible();
  await page.goto("/dashboard/settings/providers");
  await expect(page.getByText("AI providers are for the members who build agents; your role is reviewer.")).toBeVisible();
  await page.goto("/dashboard/settings/members");
  await expect(page.getByRole("button", { name: "Create invitation link" })).toHaveCount(0);
});

test("a role change takes effect on the member's next page load; the last owner cannot be demoted or leave", async ({ browser }) => {
  const { page: member, name, email } = await invited(browser, "member", "Promoted member");
  await member.goto("/dashboard/settings");
  await expect(member.getByLabel("Name", { exact: true })).toBeDisabled();

  const admin = await adminPage(browser);
  await admin.goto("/dashboard/settings/members");
  await admin.getByLabel(`Role of ${name}`).selectOption("admin");
  await admin.getByTestId("member-row").filter({ hasText: email }).getByRole("button", { name: "Change role" }).click();
  await expect(admin.getByTestId("member-row").filter({ hasText: email }).getByRole("cell", { name: "admin", exact: true })).toBeVisible();

  await member.reload();
  await expect(member.getByTestId("signed-in-as")).toHaveText(`${email} · admin`);
  await expect(member.getByLabel("Name", { exact: true })).toBeEnabled();
  // An admin cannot make an owner: the choice is not offered.
  await member.goto("/dashboard/settings/members");
  await expect(member.getByLabel("Role", { exact: true }).locator("option", { hasText: /^owner/ })).toHaveCount(0);

  // The demo admin is the only owner.
  const self = admin.getByTestId("member-row").filter({ hasText: demo().admin.email });
  await admin.getByLabel("Role of Demo admin").selectOption("admin");
  await self.getByRole("button", { name: "Change role" }).click();
  await expect(self.getByText("The organisation must keep at least one owner: make another member owner first")).toBeVisible();
  await self.getByRole("button", { name: "Leave" }).click();
  await self.getByRole("button", { name: "Leave the organisation" }).click();
  await expect(self.getByText("The organisation's last owner cannot leave it: make another member owner first")).toBeVisible();
  await admin.reload();
  await expect(admin.getByTestId("signed-in-as")).toHaveText(`${demo().admin.email} · owner`);
  await checkPage(admin, "settings-members-refusal");
});

test("a revoked invitation and a made-up link are refused with a clear page", async ({ browser }) => {
  const admin = await adminPage(browser);
  const email = uniqueEmail("revoked");
  const link = await invite(admin, email, "member");
  await admin.reload();
  await admin.getByRole("button", { name: `Revoke the invitation for ${email}` }).click();
  await expect(admin.getByTestId("invitation-row").filter({ hasText: email })).toHaveCount(0);

  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(link);
  await expect(visitor.getByRole("heading", { name: "This invitation cannot be used" })).toBeVisible();
  await expect(visitor.getByRole("alert").filter({ hasText: "This invitation was withdrawn" })).toBeVisible();
  await checkPage(visitor, "invitation-refused");

  await visitor.goto("/invite/cdti_made-up");
  await expect(visitor.getByRole("alert").filter({ hasText: "This link is not a valid invitation" })).toBeVisible();
});

test("the organisation's settings and an AI provider, changed by the admin; the provider key is never shown", async ({ browser }) => {
  const admin = await adminPage(browser);
  await admin.goto("/dashboard/settings");
  await checkPage(admin, "settings-organisation");
  // A field error from the shared schema, before anything is sent.
  await admin.getByLabel("Monthly message limit (empty: none)").fill("lots");
  await admin.getByRole("button", { name: "Save" }).click();
  await expect(admin.getByText("A whole number of 0 or more, or empty for no limit")).toBeVisible();
  await admin.getByLabel("Monthly message limit (empty: none)").fill("");
  await admin.getByLabel("Bring your own key (byok)").check();
  await admin.getByRole("button", { name: "Save" }).click();
  await expect(admin.getByText("Saved.")).toBeVisible();
  const organisation = await admin.request.get("/api/organisation", { headers: { Authorization: `Bearer ${demo().userToken}` } });
  expect(((await organisation.json()) as { billing_mode: string }).billing_mode).toBe("byok");
  // Back to hosted, as the other tests expect.
  await admin.getByLabel("Hosted (hosted)").check();
  await admin.getByRole("button", { name: "Save" }).click();
  await expect
    .poll(async () => {
      const reply = await admin.request.get("/api/organisation", { headers: { Authorization: `Bearer ${demo().userToken}` } });
      return ((await reply.json()) as { billing_mode: string }).billing_mode;
    })
    .toBe("hosted");

  await admin.goto("/dashboard/settings/providers");
  const providerName = `Provider ${Date.now().toString(36)}`;
  const secret = "sk-test-never-shown-again-1234";
  await admin.getByLabel("Name").fill(providerName);
  await admin.getByLabel("Base URL").fill("http://127.0.0.1:9/v1");
  await admin.getByLabel("API key (stored encrypted, never shown)").fill(secret);
  await admin.getByRole("button", { name: "Add provider" }).click();
  // The server's address guard refuses a loopback base URL, and the key is not echoed back.
  await expect(admin.getByRole("alert").filter({ hasText: "Refusing to call 127.0.0.1" })).toBeVisible();
  await expect(admin.getByLabel("API key (stored encrypted, never shown)")).toHaveValue("");
  await admin.getByLabel("Base URL").fill("https://1.1.1.1/v1");
  await admin.getByLabel("API key (stored encrypted, never shown)").fill(secret);
  await admin.getByRole("button", { name: "Add provider" }).click();
  const row = admin.getByTestId("provider-row").filter({ hasText: providerName });
  await expect(row).toContainText("set");
  await checkPage(admin, "settings-providers");

  await row.getByRole("link", { name: providerName }).click();
  await expect(admin.getByRole("heading", { name: providerName })).toBeVisible();
  expect(await admin.content()).not.toContain(secret);
  await admin.getByLabel("Remove the stored API key").check();
  await admin.getByLabel("Default model (empty: none)").fill("gpt-4o-mini");
  await admin.getByRole("button", { name: "Save" }).click();
  await expect(admin.getByText("Saved.")).toBeVisible();
  await admin.getByRole("link", { name: "All providers" }).click();
  await expect(row).toContainText("not set");
  await expect(row).toContainText("gpt-4o-mini");

  await row.getByRole("link", { name: providerName }).click();
  await admin.getByRole("button", { name: "Delete provider" }).click();
  await admin.getByRole("button", { name: `Delete ${providerName}` }).click();
  await expect(admin).toHaveURL(/\/dashboard\/settings\/providers$/);
  await expect(admin.getByTestId("provider-row").filter({ hasText: providerName })).toHaveCount(0);
});
