import type { NextRequest } from "next/server";
import { getDb } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { assertRole, currentMember } from "@/lib/session";
import { parseUsageQuery, usageCsv, usageCsvFilename, USAGE_ROLES } from "@/lib/usage";

/** The usage page's runs as CSV, with the page's period and filters; streamed as it is read. */
export async function GET(request: NextRequest): Promise<Response> {
  const member = await currentMember();
  try {
    assertRole(member, USAGE_ROLES);
  } catch (error) {
    if (error instanceof ApiError) return new Response(error.message, { status: error.status });
    throw error;
  }
  const query = parseUsageQuery(request.nextUrl.searchParams);
  return new Response(await usageCsv(await getDb(), member.orgId, query), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${usageCsvFilename(query)}"`,
      "Cache-Control": "private, no-store",
    },
  });
}
