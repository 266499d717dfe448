import type { WidgetKey } from "@/lib/db";
import { appearanceOf } from "@/lib/widget";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { CreateWidgetKey, WidgetKeyControls, type WidgetKeySettings } from "./widget-forms";
import { WidgetIdentity } from "./widget-identity";

function settingsOf(record: WidgetKey): WidgetKeySettings {
  return {
    id: record.publicId,
    name: record.name,
    allowedOrigins: record.allowedOrigins,
    appearance: appearanceOf(record),
    dailyMessageCap: record.dailyMessageCap,
  };
}

function WidgetKeyCard({ record, canManage, agentName }: { record: WidgetKey; canManage: boolean; agentName: string }) {
  const settings = settingsOf(record);
  const { color, position, greeting, placeholder, branding, launcher_icon, launcher_label } = settings.appearance;
  const headingId = `widget-${record.publicId}`;
  return (
    <Card className="grid gap-4 p-4" aria-labelledby={headingId} data-testid="widget-key-card">
      <div className="flex flex-wrap items-center gap-2">
        <h3 id={headingId} className="font-medium">
          {record.name}
        </h3>
        <Badge tone={record.revokedAt ? "bad" : "good"}>{record.revokedAt ? "Revoked" : "Active"}</Badge>
      </div>
      <dl className="grid gap-3 text-sm sm:grid-cols-[10rem_1fr]">
        <dt className="font-medium">Key</dt>
        <dd>
          <code className="font-mono text-xs" data-testid="widget-key-start">
            {record.start}…
          </code>
          <span className="text-text-muted"> (the whole key was shown once, when it was created)</span>
        </dd>
        <dt className="font-medium">Allowed origins</dt>
        <dd>
          <ul>
            {record.allowedOrigins.map((origin) => (
              <li key={origin} className="font-mono text-xs">
                {origin}
              </li>
            ))}
          </ul>
        </dd>
        <dt className="font-medium">Daily message cap</dt>
        <dd>{record.dailyMessageCap.toLocaleString("en")} visitor messages a day (UTC)</dd>
        <dt className="font-medium">Appearance</dt>
        <dd className="flex flex-wrap items-center gap-x-2 gap-y-1">
          <span aria-hidden className="inline-block size-4 rounded-sm border border-border" style={{ backgroundColor: color }} />
          <span className="font-mono text-xs">{color}</span>
          <span>· bottom {position}</span>
          <span>· greets with “{greeting}”</span>
          <span>· placeholder “{placeholder}”</span>
          <span>· branding {branding ? "on" : "off"}</span>
          <span>
            · launcher icon {launcher_icon}
            {launcher_label ? ` with “${launcher_label}”` : ""}
          </span>
        </dd>
        {record.revokedAt ? (
          <>
            <dt className="font-medium">Revoked on</dt>
            <dd>
              <time dateTime={record.revokedAt.toISOString()}>{record.revokedAt.toISOString().slice(0, 16).replace("T", " ")}</time>
            </dd>
          </>
        ) : null}
      </dl>
      <WidgetIdentity
        keyId={record.publicId}
        keyName={record.name}
        secretStart={record.identitySecretStart}
        canRotate={canManage && !record.revokedAt}
      />
      {canManage && !record.revokedAt ? <WidgetKeyControls settings={settings} agentName={agentName} /> : null}
    </Card>
  );
}

/**
 * The agent's website widget keys: each with its origins, cap and look; owners and admins create,
 * change and revoke them. `publicUrl` is where websites load the widget from.
 */
export function WidgetSection({
  agentId,
  agentName,
  widgetKeys,
  publicUrl,
  canManage,
  role,
}: {
  agentId: string;
  /** As the widget's header shows it. */
  agentName: string;
  /** This agent's keys, newest first. */
  widgetKeys: WidgetKey[];
  publicUrl: string;
  canManage: boolean;
  role: string;
}) {
  return (
    <section aria-labelledby="widget-heading" className="grid gap-4">
      <div>
        <h2 id="widget-heading" className="font-medium">
          Website widget
        </h2>
        <p className="mt-1 text-sm text-text-muted">
          A chat on your website with one script tag. Its publishable key works only on the origins you allow, only for this agent, and up
          to its daily cap; visitors&apos; conversations are listed under Conversations.
        </p>
      </div>
      {widgetKeys.length === 0 ? <p className="text-sm text-text-muted">This agent has no widget keys yet.</p> : null}
      {widgetKeys.map((record) => (
        <WidgetKeyCard key={record.id} record={record} canManage={canManage} agentName={agentName} />
      ))}
      {canManage ? (
        <Card className="grid gap-4 p-4" aria-labelledby="create-widget-heading">
          <h3 id="create-widget-heading" className="font-medium">
            Create a widget key
          </h3>
          <CreateWidgetKey agentId={agentId} agentName={agentName} publicUrl={publicUrl} />
        </Card>
      ) : (
        <p className="text-sm">Only owners and admins create and change widget keys; your role is {role}.</p>
      )}
    </section>
  );
}
