import type { ComponentProps } from "react";
import { cn } from "./cn";

/** The browser's own select, styled like Input: keyboard and screen-reader behaviour come for free. */
export function Select({ className, ...props }: ComponentProps<"select">) {
  return (
    <select
      className={cn(
        "h-10 w-full rounded-md border border-border bg-surface px-3 text-sm outline-none focus-visible:border-accent focus-visible:ring-2 focus-visible:ring-accent/30 aria-invalid:border-danger",
        className,
      )}
      {...props}
    />
  );
}
