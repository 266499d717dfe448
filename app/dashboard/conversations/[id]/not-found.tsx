import Link from "next/link";
import { EmptyState } from "@/components/ui/page";

export default function ConversationNotFound() {
  return (
    <EmptyState title="No such conversation in this organisation">
      <Link href="/dashboard/conversations" className="text-accent underline underline-offset-4">
        Search the conversations
      </Link>
    </EmptyState>
  );
}
