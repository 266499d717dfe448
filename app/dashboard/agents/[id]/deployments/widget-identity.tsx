"use client";

import { Button } from "@/components/ui/button";
import { ConfirmedAction } from "@/components/ui/confirmed-action";
import { CopyButton } from "@/components/ui/copy-button";
import { SecretNotice } from "@/components/ui/secret-notice";
import { IDENTITY_SIGNING_EXAMPLE } from "@/lib/widget/snippet";
import { rotateWidgetIdentitySecretAction } from "./widget-identity-actions";

/** How the site's backend signs a visitor's identity with the secret, and hands it to the widget. */
export function IdentitySigningExample() {
  return (
    <div className="grid gap-1 text-sm">
      <p>
        To show signed-in visitors their own conversation on every device, sign who they are on your server with the identity secret and
        pass the token to the widget:
      </p>
      <div className="flex flex-wrap items-start gap-2">
        <pre className="max-w-full overflow-x-auto rounded bg-surface-muted p-2 font-mono text-xs" data-testid="widget-identity-example">
          {IDENTITY_SIGNING_EXAMPLE}
        </pre>
        <CopyButton value={IDENTITY_SIGNING_EXAMPLE} label="Copy signing example" />
      </div>
    </div>
  );
}

/**
 * A widget key's identity secret: whether one is set (its first characters), and for owners and
 * admins of an active key, a rotation that shows the new secret once.
 */
export function WidgetIdentity({
  keyId,
  keyName,
  secretStart,
  canRotate,
}: {
  keyId: string;
  keyName: string;
  /** The secret's first characters; null when the key has none yet. */
  secretStart: string | null;
  canRotate: boolean;
}) {
  return (
    <div className="grid gap-2 text-sm" data-testid="widget-identity">
      <p>
        <span className="font-medium">Identity secret: </span>
        {secretStart ? (
          <>
            <code className="font-mono text-xs">{secretStart}…</code>
            <span className="text-text-muted"> (signs who your signed-in visitors are; shown once)</span>
          </>
        ) : (
          <span>none yet: rotate to create one, then sign your visitors&apos; identities with it</span>
        )}
      </p>
      {canRotate ? (
        <ConfirmedAction<string>
          id={keyId}
          action={rotateWidgetIdentitySecretAction}
          trigger={
            <Button type="button" variant="secondary" size="sm" className="w-fit" aria-label={`Rotate identity secret of ${keyName}`}>
              Rotate identity secret
            </Button>
          }
          title={`Rotate the identity secret of ${keyName}?`}
          description={
            secretStart
              ? "A new secret replaces the current one, which stops working at once: identity tokens your site signed with it are refused until it signs with the new one."
              : "The key gets an identity secret, shown once, for your site to sign its visitors' identities with."
          }
          confirmLabel="Rotate"
          pendingLabel="Rotating…"
          result={(secret) => (
            <div className="grid gap-3">
              <SecretNotice
                title="New identity secret"
                secrets={[{ label: "Identity secret", value: secret, copyLabel: "Copy identity secret", testId: "widget-identity-secret" }]}
              />
              <IdentitySigningExample />
            </div>
          )}
        />
      ) : null}
    </div>
  );
}
