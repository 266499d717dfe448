"use client";

import type { ReactElement } from "react";
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatCount, formatUsd } from "@/lib/usage/format";

/** One day of the period as the server computed it. */
export interface ChartDay {
  day: string;
  messages: number;
  inputTokens: number;
  outputTokens: number;
  spendMicrocents: number;
}

const HEIGHT = 220;
// Rendered at this size on the server (and before the browser measures), then fitted to the card.
const INITIAL = { width: 640, height: HEIGHT };
const axisTick = { fill: "var(--text-muted)", fontSize: 12 };
const tooltipStyle = { background: "var(--surface)", border: "1px solid var(--border)", borderRadius: 6, color: "var(--text)" };
const shortDay = (day: string) => day.slice(5);

function ChartFrame({ title, testId, wide = false, children }: { title: string; testId: string; wide?: boolean; children: ReactElement }) {
  return (
    <figure className={wide ? "grid gap-2 lg:col-span-2" : "grid gap-2"} data-testid={testId}>
      <figcaption className="text-sm font-medium">{title}</figcaption>
      <ResponsiveContainer width="100%" height={HEIGHT} initialDimension={INITIAL}>
        {children}
      </ResponsiveContainer>
    </figure>
  );
}

/** Messages, tokens and spend per day: three small charts over the same days. */
export function UsageCharts({ days }: { days: ChartDay[] }) {
  return (
    <div className="grid gap-8 lg:grid-cols-2">
      <ChartFrame title="Messages per day" testId="chart-messages">
        <BarChart data={days} accessibilityLayer>
          <CartesianGrid stroke="var(--border)" vertical={false} />
          <XAxis dataKey="day" tickFormatter={shortDay} tick={axisTick} stroke="var(--border)" minTickGap={16} />
          <YAxis allowDecimals={false} tick={axisTick} stroke="var(--border)" width={48} />
          <Tooltip contentStyle={tooltipStyle} formatter={(value) => formatCount(Number(value))} />
          <Bar dataKey="messages" name="Messages" fill="var(--color-accent)" radius={[3, 3, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ChartFrame>
      <ChartFrame title="Tokens per day" testId="chart-tokens">
        <BarChart data={days} accessibilityLayer>
          <CartesianGrid stroke="var(--border)" vertical={false} />
          <XAxis dataKey="day" tickFormatter={shortDay} tick={axisTick} stroke="var(--border)" minTickGap={16} />
          <YAxis tickFormatter={(value: number) => formatCount(value, { short: true })} tick={axisTick} stroke="var(--border)" width={48} />
          <Tooltip contentStyle={tooltipStyle} formatter={(value) => formatCount(Number(value))} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar dataKey="inputTokens" name="Input" stackId="tokens" fill="var(--color-accent)" isAnimationActive={false} />
          <Bar
            dataKey="outputTokens"
            name="Output"
            stackId="tokens"
            fill="oklch(0.7 0.14 190)"
            radius={[3, 3, 0, 0]}
            isAnimationActive={false}
          />
        </BarChart>
      </ChartFrame>
      <ChartFrame title="Spend per day (USD)" testId="chart-spend" wide>
        <AreaChart data={days} accessibilityLayer>
          <CartesianGrid stroke="var(--border)" vertical={false} />
          <XAxis dataKey="day" tickFormatter={shortDay} tick={axisTick} stroke="var(--border)" minTickGap={16} />
          <YAxis tickFormatter={(value: number) => formatUsd(value)} tick={axisTick} stroke="var(--border)" width={72} />
          <Tooltip contentStyle={tooltipStyle} formatter={(value) => formatUsd(Number(value))} />
          <Area
            dataKey="spendMicrocents"
            name="Spend"
            type="linear"
            stroke="var(--color-accent)"
            fill="var(--color-accent)"
            fillOpacity={0.15}
            isAnimationActive={false}
          />
        </AreaChart>
      </ChartFrame>
    </div>
  );
}
