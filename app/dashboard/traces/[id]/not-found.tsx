import Link from "next/link";
import { EmptyState } from "@/components/ui/page";

export default function TraceNotFound() {
  return (
    <EmptyState title="No such trace in this organisation">
      <Link href="/dashboard/conversations" className="text-accent underline underline-offset-4">
        Find it from its conversation
      </Link>
    </EmptyState>
  );
}
