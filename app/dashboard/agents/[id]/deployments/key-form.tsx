"use client";

import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { SecretNotice } from "@/components/ui/secret-notice";
import { useActionForm } from "@/components/ui/use-action-form";
import { createDeploymentKeyAction } from "../../actions";
import { DeploymentKeyRequest } from "../../schemas";

/** Mints a connection key limited to this agent; the secret is shown here once and never again. */
export function DeploymentKeyForm({ agentId, agentName }: { agentId: string; agentName: string }) {
  const { state, errors, formAction, onSubmit, pending } = useActionForm(createDeploymentKeyAction, DeploymentKeyRequest);
  const created = state.ok ? state.result : undefined;
  return (
    <div className="grid gap-4">
      {created ? (
        <>
          <SecretNotice
            title="Your connection key"
            secrets={[
              { label: "Key", value: created.secret, copyLabel: "Copy key", testId: "deployment-key" },
              { label: "Webhook signing secret (task replies)", value: created.signingSecret, copyLabel: "Copy signing secret" },
            ]}
          />
          <p className="text-xs">
            In a shell: <code className="font-mono">export CONDUIT_KEY=…</code> with the key, then run the snippets below.
          </p>
        </>
      ) : null}
      <form action={formAction} onSubmit={onSubmit} noValidate className="flex flex-wrap items-end gap-3">
        <input type="hidden" name="agent_id" value={agentId} />
        <div className="min-w-64 flex-1">
          <Field
            name="label"
            label="Key name"
            defaultValue={state.values?.label ?? `${agentName} deployment`}
            error={errors.label}
            maxLength={200}
          />
        </div>
        <Button type="submit" disabled={pending}>
          {pending ? "Creating…" : "Create connection key"}
        </Button>
      </form>
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
    </div>
  );
}
