import Link from "next/link";
import type { ReactNode } from "react";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="mx-auto grid min-h-screen max-w-sm content-center gap-6 px-6 py-12">
      <Link href="/" className="text-lg font-semibold">
        Conduit
      </Link>
      {children}
    </main>
  );
}
