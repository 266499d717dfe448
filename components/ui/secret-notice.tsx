import { Notice } from "./card";
import { CopyButton } from "./copy-button";

/** A secret at its only showing: the value, a copy button, and the warning that it will not be shown again. */
export function SecretNotice({
  title,
  secrets,
}: {
  title: string;
  secrets: ReadonlyArray<{ label: string; value: string; copyLabel?: string; testId?: string }>;
}) {
  return (
    <Notice className="grid gap-3">
      <p className="font-medium">{title}</p>
      {secrets.map((secret) => (
        <div key={secret.label} className="grid gap-1">
          <p className="text-sm">{secret.label}</p>
          <div className="flex flex-wrap items-center gap-2">
            <code className="rounded bg-surface px-2 py-1 font-mono text-xs break-all" data-testid={secret.testId}>
              {secret.value}
            </code>
            <CopyButton value={secret.value} label={secret.copyLabel ?? "Copy"} />
          </div>
        </div>
      ))}
      <p className="text-xs">Store it somewhere safe now: it is shown only this once and cannot be shown again.</p>
    </Notice>
  );
}
