import { notFound } from "next/navigation";
import { cache } from "react";
import { getAgentView, type AgentView } from "@/lib/agents/manage";
import { getDb } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { currentMember } from "@/lib/session";

/**
 * The signed-in member and the agent a page under /dashboard/agents/[id] shows, read once per
 * request (layout and page share it). Another organisation's agent is simply not found.
 */
export const loadAgentPage = cache(async (ref: string) => {
  const member = await currentMember();
  const db = await getDb();
  let view: AgentView;
  try {
    view = await getAgentView(db, member.orgId, ref);
  } catch (error) {
    if (error instanceof ApiError && error.code === "NOT_FOUND") notFound();
    throw error;
  }
  return { member, db, view };
});
