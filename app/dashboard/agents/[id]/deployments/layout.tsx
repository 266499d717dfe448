import type { ReactNode } from "react";
import { TabsNav } from "@/components/ui/tabs-nav";

/** Each way out to people has its own tab: the API, messaging channels, the website widget. */
export default async function DeploymentsLayout({ children, params }: { children: ReactNode; params: Promise<{ id: string }> }) {
  const { id } = await params;
  const base = `/dashboard/agents/${id}/deployments`;
  return (
    <div className="grid gap-6">
      <TabsNav
        label="Deployments"
        tabs={[
          { href: base, label: "API" },
          { href: `${base}/channels`, label: "Channels" },
          { href: `${base}/widget`, label: "Website widget" },
        ]}
      />
      {children}
    </div>
  );
}
