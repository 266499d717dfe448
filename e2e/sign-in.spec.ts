import { expect, test } from "@playwright/test";
import { checkPage, demo, signIn, uniqueEmail } from "./support";

test("a visitor without a session is sent from the dashboard to sign-in, and back after signing in", async ({ page }) => {
  await page.goto("/dashboard/agents");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fdashboard%2Fagents/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await checkPage(page, "sign-in");

  const { admin } = demo();
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard\/agents$/);
});

test("the seeded admin signs in and sees the demo organisation and agent", async ({ page }) => {
  const { admin } = demo();
  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("organisation")).toHaveText("Demo organisation");
  await expect(page.getByTestId("signed-in-as")).toContainText(`${admin.email} · owner`);
  await checkPage(page, "dashboard");

  await page.getByRole("link", { name: "Agents" }).click();
  await expect(page.getByRole("cell", { name: "Demo agent" })).toBeVisible();
  await checkPage(page, "agents");
});

test("sign up creates an account and an organisation; sign out ends the session", async ({ page }) => {
  const email = uniqueEmail("owner");
  await page.goto("/sign-up");
  await checkPage(page, "sign-up");
  await page.getByLabel("Your name").fill("Ada Owner");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel(/^Password/).fill("correct horse battery");
  await page.getByLabel("Organisation").fill("Analytical Engines");
  await page.getByRole("button", { name: "Create account" }).click();

  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("organisation")).toHaveText("Analytical Engines");
  await expect(page.getByTestId("signed-in-as")).toContainText(`${email} · owner`);
  // A new organisation starts empty: the page says so instead of showing an empty table.
  await page.getByRole("link", { name: "Agents" }).click();
  await expect(page.getByText("No agents yet.")).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/sign-in/);

  await signIn(page, email, "correct horse battery");
  await expect(page.getByTestId("organisation")).toHaveText("Analytical Engines");
});

test("sign-up fields are checked in the browser and again on the server", async ({ page }) => {
  await page.goto("/sign-up");
  await page.getByLabel("Your name").fill("Short Password");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel(/^Password/).fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await expect(page.getByText("Use at least 12 characters")).toBeVisible();
  await expect(page.getByText("Name your organisation")).toBeVisible();

  // The seeded admin's email is taken: only the server can know.
  await page.getByLabel("Email").fill(demo().admin.email);
  await page.getByLabel(/^Password/).fill("a long enough password");
  await page.getByLabel("Organisation").fill("Copycat");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("An account with this email exists; sign in instead")).toBeVisible();
  await expect(page).toHaveURL(/\/sign-up/);
});

test("a wrong password is refused with one message for unknown and known emails alike", async ({ page }) => {
  await signIn(page, demo().admin.email, "wrong password");
  await expect(page.locator("form [role=alert]")).toHaveText("Wrong email or password");
  await expect(page).toHaveURL(/\/sign-in/);

  await signIn(page, uniqueEmail("nobody"), "wrong password");
  await expect(page.locator("form [role=alert]")).toHaveText("Wrong email or password");
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("repeated failures lock the account, even against the right password", async ({ page }) => {
  const email = uniqueEmail("locked");
  const password = "the right password";
  await page.goto("/sign-up");
  await page.getByLabel("Your name").fill("Locked Out");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByLabel("Organisation").fill("Lockers");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  // The server runs with SIGN_IN_LOCKOUT_FAILURES=3.
  for (const attempt of [1, 2]) {
    await signIn(page, email, `wrong ${attempt}`);
    await expect(page.locator("form [role=alert]")).toHaveText("Wrong email or password");
  }
  await signIn(page, email, "wrong 3");
  await expect(page.locator("form [role=alert]")).toContainText("this account is locked until");
  await signIn(page, email, password);
  await expect(page.locator("form [role=alert]")).toContainText("this account is locked until");
  await expect(page).toHaveURL(/\/sign-in/);
});
