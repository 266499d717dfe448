import type { Metadata } from "next";
import Link from "next/link";
import { accountOf } from "@/lib/accounts";
import { getDb } from "@/lib/db";
import { invitationRefusal, lookUpInvitation } from "@/lib/orgs";
import { auth } from "@/lib/session";
import { Button } from "@/components/ui/button";
import { Card, Notice } from "@/components/ui/card";
import { invitedSignUpAction, signOutAction } from "../../actions";
import { AuthForm } from "../../auth-form";
import { AcceptForm } from "./accept-form";

// The link is the credential: never pass it on to another site as a referrer.
export const metadata: Metadata = { title: "Invitation · Conduit", referrer: "no-referrer" };

/**
 * An invitation link. Opening it changes nothing (link previews and prefetching must not spend
 * it): a visitor creates an account or signs in, a signed-in user with the invited email joins
 * with one click, and a spent, withdrawn or expired link says so.
 */
export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const db = await getDb();
  const invitation = await lookUpInvitation(db, token);
  if (invitation.status !== "pending") {
    return (
      <Card className="grid gap-4">
        <h1 className="text-xl font-semibold">This invitation cannot be used</h1>
        <Notice tone="error">{invitationRefusal(invitation)}</Notice>
        <p className="text-sm text-text-muted">
          <Link href="/sign-in" className="font-medium text-accent underline underline-offset-4">
            Sign in
          </Link>{" "}
          if you already have an account.
        </p>
      </Card>
    );
  }

  const here = `/invite/${token}`;
  const session = await auth();
  const account = session?.user?.id ? await accountOf(db, session.user.id) : null;
  const invited = (
    <p className="text-sm text-text-muted">
      You are invited to join <strong className="text-text">{invitation.orgName}</strong> as{" "}
      <strong className="text-text">{invitation.role}</strong>. The link works once, until {invitation.expiresAt.toISOString().slice(0, 10)}
      .
    </p>
  );

  if (account && account.email === invitation.email) {
    return (
      <Card className="grid gap-5">
        <h1 className="text-xl font-semibold">Join {invitation.orgName}</h1>
        {invited}
        <AcceptForm token={token} orgName={invitation.orgName} />
      </Card>
    );
  }

  if (account) {
    return (
      <Card className="grid gap-5">
        <h1 className="text-xl font-semibold">Join {invitation.orgName}</h1>
        {invited}
        <Notice tone="error">
          This invitation is for {invitation.email}, and you are signed in as {account.email}. Sign out, then open the link again.
        </Notice>
        <form action={signOutAction}>
          <input type="hidden" name="next" value={here} />
          <Button type="submit" variant="secondary">
            Sign out
          </Button>
        </form>
      </Card>
    );
  }

  return (
    <Card className="grid gap-5">
      <div>
        <h1 className="text-xl font-semibold">Join {invitation.orgName}</h1>
        {invited}
      </div>
      <AuthForm
        action={invitedSignUpAction}
        schema="invitedSignUp"
        submitLabel="Create account and join"
        hidden={{ invitation: token }}
        fields={[
          { name: "name", label: "Your name", autoComplete: "name" },
          { name: "email", label: "Email", type: "email", autoComplete: "email", defaultValue: invitation.email, readOnly: true },
          { name: "password", label: "Password (12 characters or more)", type: "password", autoComplete: "new-password" },
        ]}
      />
      <p className="text-sm text-text-muted">
        Have an account?{" "}
        <Link href={`/sign-in?next=${encodeURIComponent(here)}`} className="font-medium text-accent underline underline-offset-4">
          Sign in to accept
        </Link>
      </p>
    </Card>
  );
}
