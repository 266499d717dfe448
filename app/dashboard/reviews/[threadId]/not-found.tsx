import Link from "next/link";
import { EmptyState } from "@/components/ui/page";

export default function ThreadNotFound() {
  return (
    <EmptyState title="This thread does not exist in your organisation.">
      <Link href="/dashboard/reviews" className="text-accent underline underline-offset-4">
        See all reviews
      </Link>
    </EmptyState>
  );
}
