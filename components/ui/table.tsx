import type { ComponentProps, ReactNode } from "react";
import { cn } from "./cn";

/** A data table: header row, zebra-free rows, horizontal scroll on narrow screens. */
export function Table({ className, children, caption }: { className?: string; children: ReactNode; caption?: string }) {
  return (
    <div className={cn("overflow-x-auto rounded-lg border border-border", className)}>
      <table className="w-full text-left text-sm">
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        {children}
      </table>
    </div>
  );
}

export function Th({ className, ...props }: ComponentProps<"th">) {
  return <th scope="col" className={cn("bg-surface-muted px-4 py-2 font-medium", className)} {...props} />;
}

export function Td({ className, ...props }: ComponentProps<"td">) {
  return <td className={cn("border-t border-border px-4 py-2 align-top", className)} {...props} />;
}
