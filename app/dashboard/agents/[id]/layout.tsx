import type { ReactNode } from "react";
import { PageHeader } from "@/components/ui/page";
import { TabsNav } from "@/components/ui/tabs-nav";
import { loadAgentPage } from "./load";

export default async function AgentLayout({ children, params }: { children: ReactNode; params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { view } = await loadAgentPage(id);
  const base = `/dashboard/agents/${id}`;
  return (
    <div className="grid max-w-5xl gap-6">
      <PageHeader title={view.agent.name ?? "Untitled agent"} description={`${view.agent.publicId} · UUID ${view.agent.id}`} />
      <TabsNav
        label="Agent"
        tabs={[
          { href: base, label: "Try it" },
          { href: `${base}/edit`, label: "Configure" },
          { href: `${base}/deployments`, label: "Deployments" },
        ]}
      />
      {children}
    </div>
  );
}
