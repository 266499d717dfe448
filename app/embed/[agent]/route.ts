import { getDb } from "@/lib/db";
import { embedPage } from "@/lib/widget";

/** The widget's iframe page; the agent is the key's (the path segment only names the page). */
export async function GET(request: Request): Promise<Response> {
  return embedPage(await getDb(), new URL(request.url).searchParams.get("key"));
}
