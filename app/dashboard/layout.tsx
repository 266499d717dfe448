import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { membershipsOf } from "@/lib/accounts";
import { getDb } from "@/lib/db";
import { currentMember } from "@/lib/session";
import { Button } from "@/components/ui/button";
import { signOutAction } from "../(auth)/actions";
import { OrganisationSwitcher } from "./organisation-switcher";

export const metadata: Metadata = { title: "Dashboard · Conduit" };

const NAV = [
  { href: "/dashboard", label: "Overview" },
  { href: "/dashboard/agents", label: "Agents" },
  { href: "/dashboard/keys", label: "API keys" },
  { href: "/dashboard/tokens", label: "Access tokens" },
  { href: "/dashboard/usage", label: "Usage" },
  { href: "/dashboard/conversations", label: "Conversations" },
  { href: "/dashboard/automations", label: "Automations" },
  { href: "/dashboard/knowledge", label: "Knowledge" },
  { href: "/dashboard/reviews", label: "Reviews" },
  { href: "/dashboard/webhooks", label: "Webhooks" },
  { href: "/dashboard/settings", label: "Settings" },
];

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const member = await currentMember();
  const organisations = await membershipsOf(await getDb(), member.userId);
  return (
    <div className="min-h-screen md:grid md:grid-cols-[14rem_1fr]">
      <aside className="border-b border-border bg-surface-muted p-4 md:border-r md:border-b-0">
        <Link href="/dashboard" className="block text-lg font-semibold">
          Conduit
        </Link>
        <p className="mt-1 truncate text-sm text-text-muted" data-testid="organisation">
          {member.orgName}
        </p>
        {organisations.length > 1 ? <OrganisationSwitcher current={member.orgId} organisations={organisations} /> : null}
        <nav aria-label="Dashboard" className="mt-6 grid gap-1">
          {NAV.map((item) => (
            <Link
              key={item.href}
              href={item.href}
              className="rounded-md px-3 py-2 text-sm hover:bg-surface focus-visible:outline-2 focus-visible:outline-accent"
            >
              {item.label}
            </Link>
          ))}
        </nav>
        <div className="mt-8 grid gap-2 text-sm">
          <p className="wrap-break-word" data-testid="signed-in-as">
            {member.email} · {member.role}
          </p>
          <form action={signOutAction}>
            <Button type="submit" variant="secondary" size="sm">
              Sign out
            </Button>
          </form>
        </div>
      </aside>
      <main className="p-6 md:p-10">{children}</main>
    </div>
  );
}
