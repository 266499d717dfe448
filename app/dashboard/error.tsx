"use client";

import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";

/** A page that failed to render: say so, keep the navigation, offer a retry. */
export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="grid max-w-xl gap-4">
      <Notice tone="error">
        This page could not be shown{error.digest ? ` (reference ${error.digest})` : ""}.{" "}
        {error.message.startsWith("This needs the role") ? error.message : ""}
      </Notice>
      <Button variant="secondary" onClick={reset} className="w-fit">
        Try again
      </Button>
    </div>
  );
}
