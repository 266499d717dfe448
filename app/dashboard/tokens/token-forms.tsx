"use client";

import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { ConfirmedAction } from "@/components/ui/confirmed-action";
import { Field } from "@/components/ui/field";
import { SecretNotice } from "@/components/ui/secret-notice";
import { useActionForm } from "@/components/ui/use-action-form";
import { createTokenAction, revokeTokenAction } from "./actions";
import { CreateTokenForm } from "./schemas";

/** Creates a token; its secret shows above the form this once (another creation replaces it). */
export function CreateToken() {
  const { state, errors, formAction, onSubmit, pending } = useActionForm(createTokenAction, CreateTokenForm);
  const created = state.ok ? state.result : undefined;
  const expiryError = errors.expires_on ?? errors.expires_at;
  return (
    <div className="grid gap-4">
      {created ? (
        <SecretNotice
          title={`Token “${created.name}” created`}
          secrets={[{ label: "Personal access token", value: created.secret, copyLabel: "Copy token", testId: "new-token-secret" }]}
        />
      ) : null}
      <form action={formAction} onSubmit={onSubmit} noValidate className="grid gap-4">
        {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            name="name"
            label="Name"
            placeholder="e.g. CI deploys"
            defaultValue={state.values?.name ?? ""}
            error={errors.name}
            maxLength={200}
          />
          <Field
            name="expires_on"
            label="Expires after (optional; end of that day, UTC)"
            type="date"
            defaultValue={state.values?.expires_on ?? ""}
            error={expiryError}
          />
        </div>
        <Button type="submit" disabled={pending} className="w-fit">
          {pending ? "Creating…" : "Create token"}
        </Button>
      </form>
    </div>
  );
}

export function RevokeToken({ tokenId, name }: { tokenId: string; name: string }) {
  return (
    <ConfirmedAction<string>
      id={tokenId}
      action={revokeTokenAction}
      trigger={
        <Button type="button" variant="secondary" size="sm" aria-label={`Revoke ${name}`}>
          Revoke
        </Button>
      }
      title={`Revoke “${name}”?`}
      description="Anything using this token stops being able to sign in with it, at once. This cannot be undone."
      confirmLabel="Revoke token"
      pendingLabel="Revoking…"
    />
  );
}
