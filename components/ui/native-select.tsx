import { Label } from "radix-ui";
import type { ComponentProps } from "react";
import { cn } from "./cn";
import { Select } from "./select";

/** A labelled native select: keyboard and screen-reader behaviour come from the browser, and it works without JavaScript (GET filter forms). */
export function NativeSelect({
  label,
  name,
  options,
  className,
  ...props
}: ComponentProps<"select"> & { label: string; name: string; options: ReadonlyArray<{ value: string; label: string }> }) {
  return (
    <div className={cn("grid gap-1.5", className)}>
      <Label.Root htmlFor={name} className="text-sm font-medium">
        {label}
      </Label.Root>
      <Select id={name} name={name} {...props}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </Select>
    </div>
  );
}
