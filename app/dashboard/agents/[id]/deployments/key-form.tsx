"use client";

import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Field } from "@/components/ui/field";
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
        <Notice className="grid gap-2">
          <p className="font-medium">Copy this key now: it is shown only once, like its signing secret.</p>
          <div className="flex flex-wrap items-center gap-2">
            <code className="rounded bg-surface px-2 py-1 font-mono text-xs break-all" data-testid="deployment-key">
              {created.secret}
            </code>
            <CopyButton value={created.secret} label="Copy key" />
          </div>
          <div className="flex flex-wrap items-center gap-2">
            <span className="text-xs">Webhook signing secret (task replies):</span>
            <code className="rounded bg-surface px-2 py-1 font-mono text-xs break-all">{created.signingSecret}</code>
            <CopyButton value={created.signingSecret} label="Copy signing secret" />
          </div>
          <p className="text-xs">
            In a shell: <code className="font-mono">export CONDUIT_KEY={created.secret}</code>, then run the snippets below.
          </p>
        </Notice>
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
