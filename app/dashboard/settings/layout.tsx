import type { Metadata } from "next";
import type { ReactNode } from "react";
import { PageHeader } from "@/components/ui/page";
import { TabsNav } from "@/components/ui/tabs-nav";

const TABS = [
  { href: "/dashboard/settings", label: "Organisation" },
  { href: "/dashboard/settings/members", label: "Members" },
  { href: "/dashboard/settings/providers", label: "AI providers" },
];

export const metadata: Metadata = { title: "Settings · Conduit" };

export default function SettingsLayout({ children }: { children: ReactNode }) {
  return (
    <div className="grid max-w-5xl gap-6">
      <PageHeader title="Settings" description="Your organisation, who is in it, and the AI providers its agents use." />
      <TabsNav label="Settings" tabs={TABS} />
      {children}
    </div>
  );
}
