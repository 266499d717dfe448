import { headers } from "next/headers";
import { config } from "@/lib/config";

/** The URL clients reach Conduit at: PUBLIC_URL when set, else the host this page was asked on. */
export async function publicHost(): Promise<string> {
  if (config().PUBLIC_URL) return config().publicUrl;
  const incoming = await headers();
  const host = incoming.get("x-forwarded-host") ?? incoming.get("host") ?? "localhost";
  const proto = incoming.get("x-forwarded-proto") ?? "http";
  return `${proto}://${host}`;
}
