import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { signUpAction } from "../actions";
import { AuthForm } from "../auth-form";

export const metadata: Metadata = { title: "Create an account · Conduit" };

export default function SignUpPage() {
  return (
    <Card className="grid gap-5">
      <div>
        <h1 className="text-xl font-semibold">Create an account</h1>
        <p className="text-sm text-text-muted">You become the owner of a new organisation.</p>
      </div>
      <AuthForm
        action={signUpAction}
        schema="signUp"
        submitLabel="Create account"
        fields={[
          { name: "name", label: "Your name", autoComplete: "name" },
          { name: "email", label: "Email", type: "email", autoComplete: "email" },
          { name: "password", label: "Password (12 characters or more)", type: "password", autoComplete: "new-password" },
          { name: "organisation", label: "Organisation", autoComplete: "organization" },
        ]}
      />
      <p className="text-sm text-text-muted">
        Have an account?{" "}
        <Link href="/sign-in" className="font-medium text-accent underline underline-offset-4">
          Sign in
        </Link>
      </p>
    </Card>
  );
}
