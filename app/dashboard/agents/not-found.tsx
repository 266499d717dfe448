import Link from "next/link";
import { EmptyState } from "@/components/ui/page";

export default function AgentNotFound() {
  return (
    <EmptyState title="This agent does not exist in your organisation.">
      <Link href="/dashboard/agents" className="text-accent underline underline-offset-4">
        See all agents
      </Link>
    </EmptyState>
  );
}
