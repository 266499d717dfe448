"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "./cn";

/**
 * Sections as links (each its own URL), the current one marked for screen readers too: the tab
 * whose URL is the longest prefix of the page's, so pages below a tab keep it marked.
 */
export function TabsNav({ label, tabs }: { label: string; tabs: Array<{ href: string; label: string }> }) {
  const pathname = usePathname();
  const currentHref = tabs
    .filter((tab) => pathname === tab.href || pathname.startsWith(`${tab.href}/`))
    .reduce<string | null>((longest, tab) => (longest && longest.length >= tab.href.length ? longest : tab.href), null);
  return (
    <nav aria-label={label} className="flex gap-1 border-b border-border">
      {tabs.map((tab) => {
        const current = tab.href === currentHref;
        return (
          <Link
            key={tab.href}
            href={tab.href}
            aria-current={current ? "page" : undefined}
            className={cn(
              "-mb-px border-b-2 px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-accent",
              current ? "border-accent font-medium" : "border-transparent text-text-muted hover:text-text",
            )}
          >
            {tab.label}
          </Link>
        );
      })}
    </nav>
  );
}
