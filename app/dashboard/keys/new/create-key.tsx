"use client";

import Link from "next/link";
import { Button } from "@/components/ui/button";
import { SecretNotice } from "@/components/ui/secret-notice";
import { createKeyAction } from "../actions";
import { KeyForm, NEW_KEY, type AgentChoice } from "../key-form";

/** The create form, replaced after success by the new key's secrets, shown this once. */
export function CreateKey({ agents }: { agents: AgentChoice[] }) {
  return (
    <KeyForm
      mode="create"
      action={createKeyAction}
      agents={agents}
      initial={NEW_KEY}
      submitLabel="Create key"
      done={(created) => (
        <div className="grid gap-4">
          <SecretNotice
            title={`Key “${created.label}” created`}
            secrets={[
              { label: "API key", value: created.secret, copyLabel: "Copy key", testId: "new-key-secret" },
              {
                label: "Webhook signing secret",
                value: created.signingSecret,
                copyLabel: "Copy signing secret",
                testId: "new-key-signing-secret",
              },
            ]}
          />
          <div className="flex flex-wrap gap-2">
            <Button asChild>
              <Link href={`/dashboard/keys/${created.id}`}>Open the key</Link>
            </Button>
            <Button asChild variant="secondary">
              <Link href="/dashboard/keys">Back to API keys</Link>
            </Button>
          </div>
        </div>
      )}
    />
  );
}
