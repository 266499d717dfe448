import Link from "next/link";
import { EmptyState } from "@/components/ui/page";

export default function ProviderNotFound() {
  return (
    <EmptyState title="No such AI provider in this organisation.">
      <Link href="/dashboard/settings/providers" className="text-accent underline underline-offset-4">
        All providers
      </Link>
    </EmptyState>
  );
}
