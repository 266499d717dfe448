import Link from "next/link";
import { EmptyState } from "@/components/ui/page";

export default function AutomationNotFound() {
  return (
    <EmptyState title="This automation or run does not exist in your organisation.">
      <Link href="/dashboard/automations" className="text-accent underline underline-offset-4">
        See all automations
      </Link>
    </EmptyState>
  );
}
