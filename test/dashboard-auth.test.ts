/**
 * Dashboard sign-in at the HTTP level, as Auth.js's own endpoints serve it: the throttle per
 * email and address, upgrading old password hashes, providers switched on by the environment,
 * and the session check that guards pages but never `/api/*`.
 */
import { randomBytes, scryptSync } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "@/lib/crypto/passwords";
import { tables, type Db } from "@/lib/db";
import { addMember, createOrganisation, createUser } from "@/lib/orgs";
import { startWorld, type World } from "./support/app";

const PASSWORD = "a password long enough";

/** How hashes were stored before parameters were recorded: `scrypt$salt$hash`, Node's defaults. */
function legacyHash(password: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString("base64url")}$${scryptSync(password, salt, 32).toString("base64url")}`;
}

async function seed(db: Db) {
  const org = await createOrganisation(db, { name: "Signing Co" });
  const current = await createUser(db, { email: "current@signing.test", name: "Current", passwordHash: await hashPassword(PASSWORD) });
  const legacy = await createUser(db, { email: "legacy@signing.test", name: "Legacy", passwordHash: legacyHash(PASSWORD) });
  await addMember(db, org.id, current.id, "owner");
  await addMember(db, org.id, legacy.id, "member");
  return { legacyUserId: legacy.id };
}

let world: World<Awaited<ReturnType<typeof seed>>>;

beforeAll(async () => {
  world = await startWorld({
    seed,
    env: { SIGN_IN_ATTEMPTS_PER_MINUTE: "3", AUTH_GITHUB_ID: "github-client-id", AUTH_GITHUB_SECRET: "github-client-secret" },
  });
});

afterAll(async () => {
  await world?.close();
});

/** Signs in through Auth.js's credentials callback; returns where it sends the browser, and the cookies. */
async function signIn(email: string, password: string): Promise<{ location: string; cookies: string[] }> {
  const csrf = await fetch(`${world.app.url}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
  const response = await fetch(`${world.app.url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl: "/dashboard" }),
  });
  return { location: response.headers.get("location") ?? "", cookies: response.headers.getSetCookie() };
}

const sessionCookie = (cookies: string[]) => cookies.find((line) => line.startsWith("authjs.session-token="));

describe("dashboard sign-in", () => {
  it("signs in with the right password: a session cookie, httpOnly, and the dashboard", async () => {
    const { location, cookies } = await signIn("current@signing.test", PASSWORD);
    expect(new URL(location).pathname).toBe("/dashboard");
    expect(sessionCookie(cookies)).toMatch(/HttpOnly/i);
    expect(sessionCookie(cookies)).toMatch(/SameSite=Lax/i);

    const page = await fetch(`${world.app.url}/dashboard`, {
      headers: { Cookie: sessionCookie(cookies)!.split(";")[0]! },
      redirect: "manual",
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Signing Co");
  });

  it("throttles guessing per email and address, then refuses even the right password for the minute", async () => {
    const email = "current@signing.test";
    for (let attempt = 0; attempt < 2; attempt++) {
      expect((await signIn(email, `wrong ${attempt}`)).location).toContain("code=invalid");
    }
    // The first test's sign-in was the first attempt of three.
    expect((await signIn(email, PASSWORD)).location).toContain("code=throttled");
    // Another account from the same address is not held back by it.
    expect(new URL((await signIn("legacy@signing.test", PASSWORD)).location).pathname).toBe("/dashboard");
  });

  it("upgrades a hash made with older parameters at the next sign-in", async ({ skip }) => {
    if (!world.db) return skip("PGlite is single-process: the database is read through the app only");
    const { location } = await signIn("legacy@signing.test", PASSWORD);
    // Throttled or not, the previous test already signed this user in once with the right password.
    expect(location).not.toContain("code=invalid");
    const [user] = await world.db.select().from(tables.users).where(eq(tables.users.id, world.seeded.legacyUserId));
    expect(user?.passwordHash).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$/);
  });

  it("offers GitHub when its client id and secret are set", async () => {
    const page = await (await fetch(`${world.app.url}/sign-in`)).text();
    // React separates the two text parts with a comment.
    expect(page).toMatch(/Continue with (<!-- -->)?GitHub/);
    const providers = (await (await fetch(`${world.app.url}/api/auth/providers`)).json()) as Record<string, unknown>;
    expect(Object.keys(providers).sort()).toEqual(["credentials", "github"]);
  });
  it("builds its callback URLs from the address the browser used, not the server's bind address", async () => {
    // fetch() sets Host itself; node:http lets the test send another, as a reverse proxy would.
    const { request } = await import("node:http");
    const body = await new Promise<string>((resolve, reject) => {
      const port = Number(new URL(world.app.url).port);
      request({ host: "127.0.0.1", port, path: "/api/auth/providers", headers: { Host: "conduit.example" } }, (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => (text += chunk.toString()));
        response.on("end", () => resolve(text));
      })
        .on("error", reject)
        .end();
    });
    const providers = JSON.parse(body) as Record<string, { callbackUrl: string }>;
    expect(providers.github?.callbackUrl).toBe("http://conduit.example/api/auth/callback/github");
  });
});

describe("the session check", () => {
  it("sends visitors without a session from dashboard pages to sign-in", async () => {
    const response = await fetch(`${world.app.url}/dashboard/agents`, { redirect: "manual" });
    expect([302, 303, 307]).toContain(response.status);
    expect(response.headers.get("location")).toContain("/sign-in");
  });

  it("never stands in front of /api: API callers get their own surface's answer", async () => {
    const response = await fetch(`${world.app.url}/api/v1/health`, { redirect: "manual" });
    expect(response.status).toBe(401);
    expect(response.headers.get("location")).toBeNull();
  });
});
