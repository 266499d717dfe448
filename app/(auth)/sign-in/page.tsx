import type { Metadata } from "next";
import Link from "next/link";
import { externalProviders } from "@/lib/session";
import { Button } from "@/components/ui/button";
import { Card, Notice } from "@/components/ui/card";
import { externalSignInAction, signInAction } from "../actions";
import { AuthForm } from "../auth-form";
import { safeNextPath } from "../next-path";

export const metadata: Metadata = { title: "Sign in · Conduit" };

const ERRORS: Record<string, string> = {
  NoMembership: "Your account belongs to no organisation any more; ask an admin to invite you again.",
  AccessDenied: "That sign-in was refused: the provider did not confirm your email address.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string; next?: string }> }) {
  const { error, next } = await searchParams;
  // Back to an invitation after signing in, say; anything else goes to the dashboard.
  const nextPath = safeNextPath(next);
  const providers = externalProviders();
  return (
    <Card className="grid gap-5">
      <h1 className="text-xl font-semibold">Sign in</h1>
      {error ? <Notice tone="error">{ERRORS[error] ?? "Sign-in failed; try again."}</Notice> : null}
      <AuthForm
        action={signInAction}
        schema="signIn"
        submitLabel="Sign in"
        hidden={nextPath ? { next: nextPath } : {}}
        fields={[
          { name: "email", label: "Email", type: "email", autoComplete: "email" },
          { name: "password", label: "Password", type: "password", autoComplete: "current-password" },
        ]}
      />
      {providers.map((provider) => (
        <form key={provider.id} action={externalSignInAction}>
          <input type="hidden" name="provider" value={provider.id} />
          <Button type="submit" variant="secondary" className="w-full">
            Continue with {provider.name}
          </Button>
        </form>
      ))}
      <p className="text-sm text-text-muted">
        No account yet?{" "}
        <Link href="/sign-up" className="font-medium text-accent underline underline-offset-4">
          Create one
        </Link>
      </p>
    </Card>
  );
}
