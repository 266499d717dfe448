import { cn } from "./cn";

/**
 * How much of a limit is used, as a bar with the numbers beside it. A null limit is unlimited:
 * the use is shown without a bar. Amber from 75 %, red from 90 %, so a nearly spent cap stands out.
 */
export function ProgressMeter({
  label,
  value,
  max,
  format = String,
}: {
  label: string;
  value: number;
  max: number | null;
  format?: (value: number) => string;
}) {
  const ratio = max === null ? null : max === 0 ? 1 : Math.min(value / max, 1);
  const percent = ratio === null ? null : Math.round(ratio * 100);
  const text = max === null ? `${format(value)} · unlimited` : `${format(value)} of ${format(max)} (${percent} %)`;
  return (
    <div className="grid gap-1.5">
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-medium">{label}</span>
        <span className="text-text-muted tabular-nums">{text}</span>
      </div>
      {ratio === null ? null : (
        <div
          role="progressbar"
          aria-label={label}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent ?? 0}
          aria-valuetext={text}
          className="h-2 overflow-hidden rounded-full bg-surface-muted ring-1 ring-border ring-inset"
        >
          <div
            className={cn("h-full rounded-full", ratio >= 0.9 ? "bg-danger" : ratio >= 0.75 ? "bg-amber-500" : "bg-accent")}
            style={{ width: `${ratio * 100}%` }}
          />
        </div>
      )}
    </div>
  );
}
