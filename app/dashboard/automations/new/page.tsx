import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { EmptyState, PageHeader } from "@/components/ui/page";
import { OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import { agentChoices } from "@/lib/automations";
import { getDb } from "@/lib/db";
import { currentMember } from "@/lib/session";
import { AutomationEditor } from "../automation-editor";

export const metadata: Metadata = { title: "New automation · Conduit" };

export default async function NewAutomationPage() {
  const member = await currentMember();
  if (!(OWNERS_AND_ADMINS as readonly string[]).includes(member.role)) {
    return <EmptyState title="Only owners and admins create automations.">Ask one of them, or read the existing ones.</EmptyState>;
  }
  const agents = await agentChoices(await getDb(), member.orgId);
  return (
    <div className="grid max-w-4xl gap-6">
      <PageHeader
        title="New automation"
        description="It starts as a draft with its own webhook trigger; publish it to make the trigger run its steps."
      />
      <Card>
        <AutomationEditor name="" steps={[]} agents={agents} />
      </Card>
    </div>
  );
}
