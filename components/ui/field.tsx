import { Label } from "radix-ui";
import type { ComponentProps } from "react";
import { cn } from "./cn";

export function Input({ className, ...props }: ComponentProps<"input">) {
  return (
    <input
      className={cn(
        "h-10 w-full rounded-md border border-border bg-surface px-3 text-sm outline-none focus-visible:border-accent focus-visible:ring-2 focus-visible:ring-accent/30 aria-invalid:border-danger",
        className,
      )}
      {...props}
    />
  );
}

/**
 * A labelled input with its error (from the server's or the browser's schema check) below it.
 * Its id is its name unless given (a page with the same form several times).
 */
export function Field({
  label,
  name,
  id = name,
  error,
  ...props
}: ComponentProps<"input"> & { label: string; name: string; error?: string }) {
  const errorId = `${id}-error`;
  return (
    <div className="grid gap-1.5">
      <Label.Root htmlFor={id} className="text-sm font-medium">
        {label}
      </Label.Root>
      <Input id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={error ? errorId : undefined} {...props} />
      {error ? (
        <p id={errorId} className="text-sm text-danger">
          {error}
        </p>
      ) : null}
    </div>
  );
}
