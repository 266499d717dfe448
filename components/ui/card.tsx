import type { ComponentProps } from "react";
import { cn } from "./cn";

export function Card({ className, ...props }: ComponentProps<"section">) {
  return <section className={cn("rounded-lg border border-border bg-surface p-6 shadow-sm", className)} {...props} />;
}

export function Notice({ tone = "info", className, ...props }: ComponentProps<"div"> & { tone?: "info" | "error" }) {
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      className={cn(
        "rounded-md border px-3 py-2 text-sm",
        tone === "error" ? "border-danger/40 bg-danger/10 text-danger" : "border-border bg-surface-muted",
        className,
      )}
      {...props}
    />
  );
}
