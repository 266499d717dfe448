"use client";

import { Button } from "@/components/ui/button";
import { ConfirmedAction } from "@/components/ui/confirmed-action";
import { SecretNotice } from "@/components/ui/secret-notice";
import { revokeKeyAction, rotateKeyAction, type RotatedKey } from "../actions";

export function RotateKey({ keyId }: { keyId: string }) {
  return (
    <ConfirmedAction<RotatedKey>
      id={keyId}
      action={rotateKeyAction}
      trigger={
        <Button type="button" variant="danger" className="w-fit">
          Rotate key
        </Button>
      }
      title="Rotate this key?"
      description="A new secret replaces the current one, which stops working at once. The key keeps its id, agents, budget, spend, webhook and signing secret."
      confirmLabel="Rotate"
      pendingLabel="Rotating…"
      result={(rotated) => (
        <SecretNotice
          title="New secret"
          secrets={[{ label: "API key", value: rotated.secret, copyLabel: "Copy key", testId: "rotated-key-secret" }]}
        />
      )}
    />
  );
}

export function RevokeKey({ keyId }: { keyId: string }) {
  return (
    <ConfirmedAction<string>
      id={keyId}
      action={revokeKeyAction}
      trigger={
        <Button type="button" variant="danger" className="w-fit">
          Revoke key
        </Button>
      }
      title="Revoke this key?"
      description="Every surface refuses it from now on, and work queued under it will not run. This cannot be undone."
      confirmLabel="Revoke"
      pendingLabel="Revoking…"
    />
  );
}
