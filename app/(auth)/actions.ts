"use server";

import { AuthError } from "next-auth";
import { signUp } from "@/lib/accounts";
import { SignInRequest, SignUpRequest } from "@/lib/accounts/schemas";
import { getDb } from "@/lib/db";
import { fieldErrorsOf, type ActionState } from "@/lib/forms";
import { signIn, signOut, SignInRefused } from "@/lib/session";

type FormState = ActionState<never>;

const DASHBOARD = "/dashboard";

/** Where to go after signing in: back to the dashboard page that asked, never off the site. */
function dashboardPath(requested: FormDataEntryValue | null): string {
  const path = typeof requested === "string" ? requested : "";
  return /^\/dashboard(?:[/?#]|$)/.test(path) && !path.includes("\\") ? path : DASHBOARD;
}

/** Signs in, or returns why not; a redirect to the dashboard is thrown on success. */
async function signInOrExplain(
  email: string,
  password: string,
  values: Record<string, string>,
  redirectTo = DASHBOARD,
): Promise<FormState> {
  try {
    await signIn("credentials", { email, password, redirectTo });
  } catch (error) {
    if (error instanceof SignInRefused) return { ok: false, errors: { form: error.detail }, values };
    if (error instanceof AuthError) return { ok: false, errors: { form: "Sign-in failed; try again" }, values };
    throw error; // the redirect on success
  }
  return { ok: true, errors: {} };
}

export async function signInAction(_previous: FormState, form: FormData): Promise<FormState> {
  const values = { email: String(form.get("email") ?? "") };
  const parsed = SignInRequest.safeParse({ email: form.get("email"), password: form.get("password") });
  if (!parsed.success) return { ok: false, errors: fieldErrorsOf(parsed.error), values };
  return signInOrExplain(parsed.data.email, parsed.data.password, values, dashboardPath(form.get("callbackUrl")));
}

export async function signUpAction(_previous: FormState, form: FormData): Promise<FormState> {
  const values = {
    name: String(form.get("name") ?? ""),
    email: String(form.get("email") ?? ""),
    organisation: String(form.get("organisation") ?? ""),
  };
  const parsed = SignUpRequest.safeParse({ ...values, password: form.get("password") });
  if (!parsed.success) return { ok: false, errors: fieldErrorsOf(parsed.error), values };
  const outcome = await signUp(await getDb(), parsed.data);
  if (outcome.status === "email-taken")
    return { ok: false, errors: { email: "An account with this email exists; sign in instead" }, values };
  return signInOrExplain(parsed.data.email, parsed.data.password, values);
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/sign-in" });
}

export async function externalSignInAction(form: FormData): Promise<void> {
  await signIn(String(form.get("provider")), { redirectTo: DASHBOARD });
}
