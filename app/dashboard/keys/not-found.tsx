import Link from "next/link";
import { EmptyState } from "@/components/ui/page";

export default function KeyNotFound() {
  return (
    <div className="grid max-w-xl gap-4">
      <EmptyState title="No such key among yours.">
        <Link href="/dashboard/keys" className="text-accent underline underline-offset-4">
          Back to your API keys
        </Link>
      </EmptyState>
    </div>
  );
}
