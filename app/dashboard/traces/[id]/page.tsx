import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Bot, Wrench } from "lucide-react";
import type { TraceGeneration, TraceResponse, TraceStep } from "@/lib/contracts";
import { ApiError } from "@/lib/errors";
import { CONVERSATION_ROLES } from "@/lib/generations/conversations";
import { getTrace } from "@/lib/generations/traces";
import { assertRole, currentMember } from "@/lib/session";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page";
import { statusTone } from "../../conversations/format";

export const metadata: Metadata = { title: "Trace · Conduit" };

/** The trace's time span: every bar is placed on it. */
interface Span {
  start: number;
  length: number;
}

const ms = (iso: string) => new Date(iso).getTime();

function generationsOf(trace: TraceResponse): TraceGeneration[] {
  return [...trace.generations, ...trace.children.flatMap(generationsOf)];
}

function spanOf(trace: TraceResponse): Span {
  const generations = generationsOf(trace);
  const starts = generations.map((generation) => ms(generation.created_at));
  const ends = generations.flatMap((generation) => [
    ms(generation.updated_at),
    ...generation.steps.map((step) => ms(step.started_at) + step.duration_ms),
  ]);
  const start = Math.min(...starts);
  return { start, length: Math.max(Math.max(...ends) - start, 1) };
}

const formatMs = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`);

/** Where a piece of work sits on the trace's time line, as a bar. */
function TimeBar({ span, from, duration, label }: { span: Span; from: number; duration: number; label: string }) {
  const left = ((from - span.start) / span.length) * 100;
  const width = Math.max((duration / span.length) * 100, 0.5);
  return (
    <div className="relative h-1.5 w-full rounded-full bg-surface-muted" aria-hidden title={label}>
      <div
        className="absolute h-full rounded-full bg-accent"
        style={{ left: `${Math.min(left, 99.5)}%`, width: `${Math.min(width, 100 - left)}%` }}
      />
    </div>
  );
}

function Json({ label, value }: { label: string; value: unknown }) {
  if (value === null || value === undefined) return null;
  return (
    <details className="text-xs">
      <summary className="cursor-pointer text-text-muted">{label}</summary>
      <pre className="mt-1 max-h-64 overflow-auto rounded bg-surface-muted p-2">{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}

function Step({ step, span }: { step: TraceStep; span: Span }) {
  const tokens = step.input_tokens !== null || step.output_tokens !== null;
  return (
    <li className="grid gap-1.5 border-t border-border py-2 first:border-t-0" data-testid="trace-step">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
        {step.type === "model" ? (
          <Bot aria-hidden className="size-4 text-text-muted" />
        ) : (
          <Wrench aria-hidden className="size-4 text-text-muted" />
        )}
        <span className="font-medium">{step.type === "model" ? `Model call · ${step.name}` : `Tool call · ${step.name}`}</span>
        <span className="text-text-muted tabular-nums">{formatMs(step.duration_ms)}</span>
        {tokens ? (
          <span className="text-text-muted tabular-nums">
            {step.input_tokens ?? 0} in · {step.output_tokens ?? 0} out tokens
          </span>
        ) : null}
        {step.error ? <Badge tone="bad">error</Badge> : null}
      </div>
      <TimeBar span={span} from={ms(step.started_at)} duration={step.duration_ms} label={`${step.name}: ${formatMs(step.duration_ms)}`} />
      {step.error ? <p className="text-sm text-danger">{step.error}</p> : null}
      <Json label={step.type === "tool" ? "Arguments" : "Input"} value={step.args} />
      <Json label="Result" value={step.result} />
    </li>
  );
}

function Generation({ generation, span }: { generation: TraceGeneration; span: Span }) {
  const duration = ms(generation.updated_at) - ms(generation.created_at);
  return (
    <Card className="grid gap-3 p-4">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm">
        <span className="font-mono text-xs">{generation.id}</span>
        <Badge tone={statusTone(generation.status)}>{generation.status}</Badge>
        <span>
          agent <span className="font-mono text-xs">{generation.agent_id}</span>
        </span>
        <span>door {generation.door}</span>
        <span>model {generation.model ?? "—"}</span>
        <span className="tabular-nums">{formatMs(duration)}</span>
        <span className="tabular-nums">
          {generation.usage.input_tokens} in · {generation.usage.output_tokens} out tokens
        </span>
      </div>
      <TimeBar span={span} from={ms(generation.created_at)} duration={duration} label={`${generation.id}: ${formatMs(duration)}`} />
      {generation.error ? <p className="text-sm text-danger">{generation.error}</p> : null}
      {generation.steps.length === 0 ? (
        <p className="text-sm text-text-muted">No steps recorded.</p>
      ) : (
        <ol aria-label={`Steps of ${generation.id}`}>
          {generation.steps.map((step, index) => (
            <Step key={index} step={step} span={span} />
          ))}
        </ol>
      )}
    </Card>
  );
}

function TraceNode({ trace, span, depth }: { trace: TraceResponse; span: Span; depth: number }) {
  return (
    <div className="grid gap-3">
      {depth > 0 ? (
        <p className="text-sm font-medium">
          Called agent · trace <span className="font-mono text-xs">{trace.trace_id}</span>
        </p>
      ) : null}
      {trace.generations.map((generation) => (
        <Generation key={generation.id} generation={generation} span={span} />
      ))}
      {trace.children.length > 0 ? (
        <ul className="grid gap-4 border-l-2 border-border pl-4" aria-label="Agents this trace called">
          {trace.children.map((child) => (
            <li key={child.trace_id}>
              <TraceNode trace={child} span={span} depth={depth + 1} />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

async function traceOrNotFound(orgId: string, id: string): Promise<TraceResponse> {
  try {
    return await getTrace(orgId, id);
  } catch (error) {
    if (error instanceof ApiError && error.code === "NOT_FOUND") notFound();
    throw error;
  }
}

export default async function TracePage({ params }: { params: Promise<{ id: string }> }) {
  const member = await currentMember();
  assertRole(member, CONVERSATION_ROLES);
  const { id } = await params;
  const trace = await traceOrNotFound(member.orgId, id);
  const span = spanOf(trace);
  const generations = generationsOf(trace);
  const steps = generations.flatMap((generation) => generation.steps);
  const tokens = generations.reduce((sum, generation) => sum + generation.usage.total_tokens, 0);

  return (
    <div className="grid max-w-5xl gap-6">
      <p className="text-sm">
        <Link href="/dashboard/conversations" className="text-accent underline-offset-4 hover:underline">
          ← Conversations
        </Link>
      </p>
      <PageHeader
        title="Trace"
        description={`${trace.trace_id} · ${generations.length} generation${generations.length === 1 ? "" : "s"}, ${steps.length} step${steps.length === 1 ? "" : "s"}, ${tokens.toLocaleString("en")} tokens, ${formatMs(span.length)}`}
      />
      {trace.parent_trace_id ? (
        <p className="text-sm">
          Started by another agent:{" "}
          <Link
            href={`/dashboard/traces/${encodeURIComponent(trace.parent_trace_id)}`}
            className="text-accent underline underline-offset-4"
          >
            open the calling trace
          </Link>
        </p>
      ) : null}
      <TraceNode trace={trace} span={span} depth={0} />
    </div>
  );
}
