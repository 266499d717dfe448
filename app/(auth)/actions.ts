"use server";

import { AuthError } from "next-auth";
import { redirect } from "next/navigation";
import { accountOf, signUp } from "@/lib/accounts";
import { InvitedSignUpRequest, SignInRequest, SignUpRequest } from "@/lib/accounts/schemas";
import { getDb } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { fieldErrorsOf, type ActionState } from "@/lib/forms";
import { acceptInvitation } from "@/lib/orgs";
import { auth, chooseOrganisation, signIn, signOut, SignInRefused } from "@/lib/session";
import { safeNextPath } from "./next-path";

type FormState = ActionState<never>;

const DASHBOARD = "/dashboard";

/** Signs in, or returns why not; a redirect (to the dashboard, or back to an invitation) is thrown on success. */
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
  return signInOrExplain(parsed.data.email, parsed.data.password, values, safeNextPath(form.get("next")) ?? DASHBOARD);
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
  if (outcome.status !== "created") return { ok: false, errors: { email: "An account with this email exists; sign in instead" }, values };
  return signInOrExplain(parsed.data.email, parsed.data.password, values);
}

/** Sign-up from an invitation link: the new user joins the inviting organisation, which they then work in. */
export async function invitedSignUpAction(_previous: FormState, form: FormData): Promise<FormState> {
  const values = {
    name: String(form.get("name") ?? ""),
    email: String(form.get("email") ?? ""),
    invitation: String(form.get("invitation") ?? ""),
  };
  const parsed = InvitedSignUpRequest.safeParse({ ...values, password: form.get("password") });
  if (!parsed.success) return { ok: false, errors: fieldErrorsOf(parsed.error), values };
  const outcome = await signUp(await getDb(), parsed.data);
  if (outcome.status === "email-taken") {
    return { ok: false, errors: { email: "An account with this email exists; sign in to accept the invitation" }, values };
  }
  if (outcome.status === "invitation-refused") return { ok: false, errors: { form: outcome.reason }, values };
  await chooseOrganisation(outcome.orgId);
  return signInOrExplain(parsed.data.email, parsed.data.password, values);
}

/** A signed-in user accepts an invitation sent to their email, and goes to work in that organisation. */
export async function acceptInvitationAction(_previous: FormState, form: FormData): Promise<FormState> {
  const token = String(form.get("invitation") ?? "");
  const session = await auth();
  const db = await getDb();
  const account = session?.user?.id ? await accountOf(db, session.user.id) : null;
  if (!account) return { ok: false, errors: { form: "Your session has ended; sign in again" } };
  try {
    const joined = await acceptInvitation(db, token, account);
    await chooseOrganisation(joined.orgId);
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) return { ok: false, errors: { form: error.message } };
    throw error;
  }
  redirect(DASHBOARD);
}

export async function signOutAction(form?: FormData): Promise<void> {
  await signOut({ redirectTo: safeNextPath(form?.get("next")) ?? "/sign-in" });
}

export async function externalSignInAction(form: FormData): Promise<void> {
  await signIn(String(form.get("provider")), { redirectTo: DASHBOARD });
}
