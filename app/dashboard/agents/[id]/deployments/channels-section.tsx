import type { ReactNode } from "react";
import { callbackUrl } from "@/lib/channels";
import { CHANNEL_LABELS, CREDENTIAL_LABELS } from "@/lib/channels/labels";
import { config } from "@/lib/config";
import type { ChannelConnection } from "@/lib/db";
import { Badge } from "@/components/ui/badge";
import { Card, Notice } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { ChannelControls, ConnectChannel } from "./channel-forms";

const Code = ({ children }: { children: ReactNode }) => <code className="font-mono text-xs">{children}</code>;

/** Where the vendor's console takes the callback URL, and what else it needs from there. */
function SetupSteps({ connection, url }: { connection: ChannelConnection; url: string }) {
  switch (connection.type) {
    case "whatsapp":
      return (
        <ol className="list-decimal space-y-1 pl-5">
          <li>In your Meta app: WhatsApp → Configuration → Webhook → Edit.</li>
          <li>Paste the callback URL, enter the verify token you chose here, then Verify and save.</li>
          <li>
            Under Webhook fields, subscribe to <Code>messages</Code>.
          </li>
        </ol>
      );
    case "messenger":
    case "instagram":
      return (
        <ol className="list-decimal space-y-1 pl-5">
          <li>
            In your Meta app:{" "}
            {connection.type === "messenger"
              ? "Messenger → Messenger API settings → Configure webhooks"
              : "Instagram → API setup with Instagram login → Configure webhooks"}
            .
          </li>
          <li>Paste the callback URL, enter the verify token you chose here, then Verify and save.</li>
          <li>
            Subscribe {connection.type === "messenger" ? "your Page" : "your account"} to the <Code>messages</Code> and{" "}
            <Code>messaging_postbacks</Code> fields: messages (and button taps) arrive as <Code>messaging</Code> events.
          </li>
        </ol>
      );
    case "twilio":
      return (
        <ol className="list-decimal space-y-1 pl-5">
          <li>In the Twilio console, open the phone number (or the WhatsApp sender).</li>
          <li>
            Under Messaging, for “A message comes in”, choose Webhook, paste the callback URL and choose <Code>HTTP POST</Code>.
          </li>
          <li>Twilio signs this exact URL with your auth token: use it unchanged.</li>
        </ol>
      );
    case "email": {
      const { protocol, host, pathname } = new URL(url);
      return (
        <ol className="list-decimal space-y-1 pl-5">
          <li>
            Have your mail service POST each message it receives to the callback URL: raw mail as <Code>message/rfc822</Code>, or
            Postmark&apos;s inbound webhook (JSON).
          </li>
          <li>
            Authenticate with the inbox secret as <Code>Authorization: Bearer …</Code>, or as the password of Basic auth. For Postmark, put
            it in the inbound webhook URL: <Code>{`${protocol}//inbox:INBOX_SECRET@${host}${pathname}`}</Code>.
          </li>
          <li>
            To try it:{" "}
            <Code>{`curl -X POST "${url}" -H "Authorization: Bearer $INBOX_SECRET" -H "Content-Type: message/rfc822" --data-binary @message.eml`}</Code>
          </li>
        </ol>
      );
    }
  }
}

type PayingKey = { id: string; publicId: string; name: string };

function ChannelCard({
  connection,
  payingKeys,
  canManage,
}: {
  connection: ChannelConnection;
  payingKeys: PayingKey[];
  canManage: boolean;
}) {
  const url = callbackUrl(connection);
  const headingId = `channel-${connection.publicId}`;
  const { from_address: fromAddress, from_name: fromName } = connection.settings;
  return (
    <Card className="grid gap-4 p-4" aria-labelledby={headingId}>
      <div className="flex flex-wrap items-center gap-2">
        <h3 id={headingId} className="font-medium">
          {connection.name}
        </h3>
        <Badge>{CHANNEL_LABELS[connection.type]}</Badge>
        <Badge tone={connection.enabled ? "good" : "warn"}>{connection.enabled ? "Enabled" : "Disabled"}</Badge>
      </div>
      <dl className="grid gap-3 text-sm sm:grid-cols-[10rem_1fr]">
        <dt className="font-medium">Callback URL</dt>
        <dd className="flex flex-wrap items-center gap-2">
          <code className="rounded bg-surface-muted px-2 py-1 font-mono text-xs break-all" data-testid="callback-url">
            {url}
          </code>
          <CopyButton value={url} label={`Copy callback URL of ${connection.name}`} />
        </dd>
        <dt className="font-medium">Paid by</dt>
        <dd>
          {connection.apiKeyId
            ? `the budget of API key “${payingKeys.find((key) => key.id === connection.apiKeyId)?.name ?? "revoked key"}”`
            : "the organisation's plan (no key budget)"}
        </dd>
        <dt className="font-medium">Credentials set</dt>
        <dd>
          {connection.credentialNames.length === 0
            ? "none"
            : connection.credentialNames.map((name) => CREDENTIAL_LABELS[name] ?? name).join(", ")}
          <span className="text-text-muted"> (their values are never shown)</span>
        </dd>
        {connection.type === "email" ? (
          <>
            <dt className="font-medium">Replies from</dt>
            <dd>
              {fromName ? `${fromName} <${fromAddress}>` : fromAddress}
              {config().SMTP_URL ? null : (
                <span className="text-text-muted"> · SMTP_URL is not set, so replies are recorded but not sent</span>
              )}
            </dd>
          </>
        ) : null}
        <dt className="font-medium">Set it up</dt>
        <dd>
          <SetupSteps connection={connection} url={url} />
        </dd>
      </dl>
      {canManage ? (
        <ChannelControls id={connection.publicId} name={connection.name} type={connection.type} enabled={connection.enabled} />
      ) : null}
    </Card>
  );
}

/**
 * The agent's channel connections: each with the callback URL to paste into the vendor's
 * console and how to set it up there; owners and admins connect, change and delete them.
 */
export function ChannelsSection({
  agentId,
  connections,
  payingKeys,
  canManage,
  role,
}: {
  agentId: string;
  connections: ChannelConnection[];
  /** Keys that may pay for this agent's channel runs. */
  payingKeys: PayingKey[];
  canManage: boolean;
  role: string;
}) {
  return (
    <section aria-labelledby="channels-heading" className="grid gap-4">
      <div>
        <h2 id="channels-heading" className="font-medium">
          Channels
        </h2>
        <p className="mt-1 text-sm text-text-muted">
          People write to the agent on WhatsApp, Messenger, Instagram, SMS or email, and it answers them there. Their conversations are
          listed under Conversations, where a member can take one over.
        </p>
      </div>
      {config().PUBLIC_URL ? null : (
        <Notice>
          PUBLIC_URL is not set, so callback URLs start with {config().publicUrl}, which vendors cannot reach. Set PUBLIC_URL to the address
          Conduit is reached at from the internet, and restart.
        </Notice>
      )}
      {connections.length === 0 ? <p className="text-sm text-text-muted">This agent is not connected to any channel yet.</p> : null}
      {connections.map((connection) => (
        <ChannelCard key={connection.id} connection={connection} payingKeys={payingKeys} canManage={canManage} />
      ))}
      {canManage ? (
        <Card className="grid gap-4 p-4" aria-labelledby="connect-channel-heading">
          <h3 id="connect-channel-heading" className="font-medium">
            Connect a channel
          </h3>
          <ConnectChannel agentId={agentId} keys={payingKeys.map(({ publicId, name }) => ({ id: publicId, name }))} />
        </Card>
      ) : (
        <p className="text-sm">Only owners and admins connect and change channels; your role is {role}.</p>
      )}
    </section>
  );
}
