import type { Metadata } from "next";
import type { ReactNode } from "react";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Card, Notice } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { PageHeader } from "@/components/ui/page";
import { ANY_MEMBER, OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import { getDb } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { getManagedKey, keyAgentChoices, keyStatus, managedKeyDetails } from "@/lib/keys/manage";
import { currentMember } from "@/lib/session";
import { holds, NoKeysForReviewers } from "../access";
import { budgetText, keyHint, periodText, usd } from "../format";
import { StatusBadge } from "../status-badge";
import { EditKey } from "./edit-key";
import { RevokeKey, RotateKey } from "./key-actions";

export const metadata: Metadata = { title: "API key · Conduit" };

/** Someone else's key is not shown at all: for the page, a colleague's key is as absent as another organisation's. */
async function ownKey(member: { userId: string; orgId: string }, id: string) {
  const db = await getDb();
  try {
    return await getManagedKey(db, member, id);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 403 || error.status === 404)) notFound();
    throw error;
  }
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-text-muted">{term}</dt>
      <dd className="text-sm">{children}</dd>
    </div>
  );
}

export default async function KeyPage({ params }: { params: Promise<{ id: string }> }) {
  const member = await currentMember();
  if (!holds(ANY_MEMBER, member)) {
    return (
      <div className="grid max-w-4xl gap-6">
        <PageHeader title="API key" />
        <NoKeysForReviewers />
      </div>
    );
  }
  const key = await ownKey(member, (await params).id);
  const db = await getDb();
  const [details, agents] = await Promise.all([managedKeyDetails(db, key), keyAgentChoices(db, member.orgId)]);
  const status = keyStatus(key);
  const canChange = holds(OWNERS_AND_ADMINS, member) && status !== "revoked";
  const agentName = new Map(agents.map((agent) => [agent.publicId, agent.name ?? agent.publicId]));
  const usage = details.usage;
  return (
    <div className="grid max-w-4xl gap-6">
      <p className="text-sm">
        <Link href="/dashboard/keys" className="text-accent underline underline-offset-4">
          API keys
        </Link>
      </p>
      <PageHeader title={details.label} description={`Key ${details.id}`} actions={<StatusBadge status={status} />} />

      <Card className="grid gap-4">
        <h2 className="font-medium">Key</h2>
        <dl className="grid gap-4 sm:grid-cols-3">
          <Fact term="Secret">
            <span className="font-mono text-xs">{keyHint(details)}</span>
          </Fact>
          <Fact term="Agents">
            {details.agent_ids === null ? "Every agent" : details.agent_ids.map((id) => agentName.get(id) ?? id).join(", ") || "None left"}
          </Fact>
          <Fact term="Response URL">{details.response_url ?? "None"}</Fact>
          <Fact term="Created">
            <DateTime value={details.created_at} />
          </Fact>
          <Fact term="Last used">
            <DateTime value={details.last_used_at} empty="Never" />
          </Fact>
          <Fact term={status === "revoked" ? "Revoked" : "Expires"}>
            <DateTime value={status === "revoked" ? details.revoked_at : key.expiresAt} empty="Never" />
          </Fact>
        </dl>
      </Card>

      <Card className="grid gap-4">
        <h2 className="font-medium">Usage {periodText(details.budget_period)}</h2>
        <dl className="grid gap-4 sm:grid-cols-4">
          <Fact term="Budget">{budgetText(details)}</Fact>
          <Fact term="Spent">{usd(usage.spent_usd_cents)}</Fact>
          <Fact term="Held for running calls">{usd(usage.reserved_usd_cents)}</Fact>
          <Fact term="Remaining">{usage.remaining_usd_cents === null ? "Unlimited" : usd(usage.remaining_usd_cents)}</Fact>
          <Fact term="Requests">{usage.requests.toLocaleString("en-US")}</Fact>
          <Fact term="Input tokens">{usage.input_tokens.toLocaleString("en-US")}</Fact>
          <Fact term="Output tokens">{usage.output_tokens.toLocaleString("en-US")}</Fact>
          <Fact term="Period started">
            <DateTime value={usage.period_start} />
          </Fact>
        </dl>
      </Card>

      {canChange ? (
        <Card className="grid gap-4">
          <h2 className="font-medium">Settings</h2>
          <EditKey
            keyId={details.id}
            agents={agents.map(({ publicId, name }) => ({ publicId, name }))}
            initial={{
              label: details.label,
              agentIds: details.agent_ids,
              budgetUsd: details.budget_usd_cents === null ? "" : String(details.budget_usd_cents / 100),
              budgetPeriod: details.budget_period ?? "monthly",
              responseUrl: details.response_url ?? "",
            }}
          />
        </Card>
      ) : status !== "revoked" ? (
        <Notice>Only owners and admins change or rotate keys; you may revoke yours.</Notice>
      ) : null}

      {status !== "revoked" ? (
        <Card className="grid gap-6">
          <h2 className="font-medium">Danger zone</h2>
          {canChange ? (
            <div className="grid gap-2">
              <p className="text-sm text-text-muted">Rotate if the secret may have leaked: you get a new one, the old one stops working.</p>
              <RotateKey keyId={details.id} />
            </div>
          ) : null}
          <div className="grid gap-2">
            <p className="text-sm text-text-muted">Revoke a key you no longer use: it stops working everywhere, for good.</p>
            <RevokeKey keyId={details.id} />
          </div>
        </Card>
      ) : (
        <Notice>This key is revoked: it no longer works anywhere, and it cannot be changed.</Notice>
      )}
    </div>
  );
}
