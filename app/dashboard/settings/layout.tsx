import type { Metadata } from "next";
import type { ReactNode } from "react";
import { PageHeader } from "@/components/ui/page";
import { SettingsNav } from "./settings-nav";

export const metadata: Metadata = { title: "Settings · Conduit" };

export default function SettingsLayout({ children }: { children: ReactNode }) {
  return (
    <div className="grid max-w-5xl gap-6">
      <PageHeader title="Settings" description="Your organisation, who is in it, and the AI providers its agents use." />
      <SettingsNav />
      {children}
    </div>
  );
}
