import type { Metadata } from "next";
import { Download } from "lucide-react";
import { getDb } from "@/lib/db";
import { assertRole, currentMember } from "@/lib/session";
import { parseUsageQuery, usageReport, USAGE_PERIODS, USAGE_ROLES, type UsageQuery, type UsageShare } from "@/lib/usage";
import { formatCount, formatUsd } from "@/lib/usage/format";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { NativeSelect } from "@/components/ui/native-select";
import { EmptyState, PageHeader } from "@/components/ui/page";
import { ProgressMeter } from "@/components/ui/progress-meter";
import { Table, Td, Th } from "@/components/ui/table";
import { UsageCharts } from "./usage-charts";

export const metadata: Metadata = { title: "Usage · Conduit" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function queryString(query: UsageQuery): string {
  const params = new URLSearchParams({ days: String(query.days) });
  if (query.agent) params.set("agent", query.agent);
  if (query.key) params.set("key", query.key);
  return params.toString();
}

const PERIOD_NAMES = { daily: "today", monthly: "this month", total: "in total" } as const;

function SharesTable({ caption, heading, shares, total }: { caption: string; heading: string; shares: UsageShare[]; total: number }) {
  return (
    <Table caption={caption}>
      <thead>
        <tr>
          <Th>{heading}</Th>
          <Th className="text-right">Messages</Th>
          <Th className="text-right">Input tokens</Th>
          <Th className="text-right">Output tokens</Th>
          <Th className="text-right">Spend</Th>
          <Th className="text-right">Share of spend</Th>
        </tr>
      </thead>
      <tbody>
        {shares.map((share) => (
          <tr key={share.id ?? "none"}>
            <Td>{share.label}</Td>
            <Td className="text-right tabular-nums">{formatCount(share.messages)}</Td>
            <Td className="text-right tabular-nums">{formatCount(share.inputTokens)}</Td>
            <Td className="text-right tabular-nums">{formatCount(share.outputTokens)}</Td>
            <Td className="text-right tabular-nums">{formatUsd(share.spendMicrocents)}</Td>
            <Td className="text-right tabular-nums">{total > 0 ? `${Math.round((share.spendMicrocents / total) * 100)} %` : "—"}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

function Stat({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <Card className="p-4">
      <p className="text-sm text-text-muted">{label}</p>
      <p className="mt-1 text-2xl font-semibold tabular-nums" data-testid={`stat-${label.toLowerCase()}`}>
        {value}
      </p>
      {detail ? <p className="text-xs text-text-muted">{detail}</p> : null}
    </Card>
  );
}

export default async function UsagePage({ searchParams }: { searchParams: SearchParams }) {
  const member = await currentMember();
  assertRole(member, USAGE_ROLES);
  const query = parseUsageQuery(await searchParams);
  const report = await usageReport(await getDb(), member.orgId, query);
  const { totals, plan } = report;
  const month = plan.month.toLocaleDateString("en", { month: "long", year: "numeric", timeZone: "UTC" });

  return (
    <div className="grid max-w-6xl gap-8">
      <PageHeader
        title="Usage"
        description={`Messages, tokens and spend of ${member.orgName} over the last ${query.days} days (UTC), and how close the plan's limits are.`}
        actions={
          <Button asChild variant="secondary">
            <a href={`/dashboard/usage/export?${queryString(query)}`} download>
              <Download aria-hidden className="size-4" />
              Export CSV
            </a>
          </Button>
        }
      />

      <form method="get" className="flex flex-wrap items-end gap-4" aria-label="Usage filters">
        <NativeSelect
          label="Period"
          name="days"
          defaultValue={String(query.days)}
          options={USAGE_PERIODS.map((days) => ({ value: String(days), label: `Last ${days} days` }))}
          className="w-40"
        />
        <NativeSelect
          label="Agent"
          name="agent"
          defaultValue={query.agent ?? ""}
          options={[{ value: "", label: "All agents" }, ...report.agents.map((agent) => ({ value: agent.id, label: agent.label }))]}
          className="w-56"
        />
        <NativeSelect
          label="API key"
          name="key"
          defaultValue={query.key ?? ""}
          options={[{ value: "", label: "All keys" }, ...report.keys.map((key) => ({ value: key.id, label: key.label }))]}
          className="w-64"
        />
        <Button type="submit" variant="secondary">
          Show
        </Button>
      </form>

      <div className="grid gap-4 sm:grid-cols-3">
        <Stat label="Messages" value={formatCount(totals.messages)} detail="runs of an agent, agent-to-agent calls included" />
        <Stat
          label="Tokens"
          value={formatCount(totals.inputTokens + totals.outputTokens)}
          detail={`${formatCount(totals.inputTokens)} in · ${formatCount(totals.outputTokens)} out`}
        />
        <Stat label="Spend" value={formatUsd(totals.spendMicrocents)} detail="at the model prices keys are charged" />
      </div>

      {totals.messages === 0 ? (
        <EmptyState title={`No usage in the last ${query.days} days`}>
          Runs of your agents appear here once an API key or access token calls them
          {query.agent || query.key ? "; the filters above may also hide them" : ""}.
        </EmptyState>
      ) : (
        <Card>
          <h2 className="sr-only">Usage over time</h2>
          <UsageCharts days={report.days} />
          <details className="mt-6 text-sm">
            <summary className="cursor-pointer font-medium">Show the numbers per day</summary>
            <Table caption="Usage per day" className="mt-3">
              <thead>
                <tr>
                  <Th>Day (UTC)</Th>
                  <Th className="text-right">Messages</Th>
                  <Th className="text-right">Input tokens</Th>
                  <Th className="text-right">Output tokens</Th>
                  <Th className="text-right">Spend</Th>
                </tr>
              </thead>
              <tbody>
                {report.days.map((day) => (
                  <tr key={day.day}>
                    <Td>{day.day}</Td>
                    <Td className="text-right tabular-nums">{formatCount(day.messages)}</Td>
                    <Td className="text-right tabular-nums">{formatCount(day.inputTokens)}</Td>
                    <Td className="text-right tabular-nums">{formatCount(day.outputTokens)}</Td>
                    <Td className="text-right tabular-nums">{formatUsd(day.spendMicrocents)}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </details>
        </Card>
      )}

      <section className="grid gap-4 md:grid-cols-2" aria-labelledby="limits-heading">
        <Card className="grid content-start gap-4">
          <div>
            <h2 id="limits-heading" className="font-medium">
              Plan limits · {month}
            </h2>
            <p className="text-sm text-text-muted">
              Counted per calendar month (UTC) for the whole organisation; at a limit, new runs are refused with 429.
            </p>
          </div>
          <ProgressMeter label="Messages this month" value={plan.messages.used} max={plan.messages.limit} format={formatCount} />
          <ProgressMeter label="Tokens this month" value={plan.tokens.used} max={plan.tokens.limit} format={formatCount} />
        </Card>
        <Card className="grid content-start gap-4">
          <div>
            <h2 className="font-medium">Key budgets</h2>
            <p className="text-sm text-text-muted">What each key with a budget has spent in its current period.</p>
          </div>
          {report.budgets.length === 0 ? (
            <p className="text-sm text-text-muted">No key has a budget: every key may spend without a cap.</p>
          ) : (
            report.budgets.map((budget) => (
              <ProgressMeter
                key={budget.id}
                label={`${budget.label} · ${PERIOD_NAMES[budget.period ?? "total"]}`}
                value={budget.spentMicrocents}
                max={budget.budgetMicrocents}
                format={formatUsd}
              />
            ))
          )}
        </Card>
      </section>

      {totals.messages === 0 ? null : (
        <>
          <section className="grid gap-3" aria-labelledby="agents-heading">
            <h2 id="agents-heading" className="font-medium">
              Per agent
            </h2>
            <SharesTable caption="Usage per agent" heading="Agent" shares={report.byAgent} total={totals.spendMicrocents} />
          </section>
          <section className="grid gap-3" aria-labelledby="keys-heading">
            <h2 id="keys-heading" className="font-medium">
              Per API key
            </h2>
            <SharesTable caption="Usage per API key" heading="API key" shares={report.byKey} total={totals.spendMicrocents} />
          </section>
        </>
      )}
    </div>
  );
}
