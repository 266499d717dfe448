import { and, eq } from "drizzle-orm";
import { tables, type Db } from "@/lib/db";

/** The website visitor a widget conversation is with, as the dashboard names them. */
export interface WidgetVisitorSummary {
  /** The actor's name: what the site signed for an identified visitor, "Website visitor" otherwise. */
  name: string;
  /** The site's own id for an identified visitor; null for an anonymous one. */
  subject: string | null;
  email: string | null;
  widgetKeyName: string;
}

/** The visitor behind a conversation of the organisation, or null when it is not a widget conversation. */
export async function widgetVisitorOfConversation(db: Db, orgId: string, conversationId: string): Promise<WidgetVisitorSummary | null> {
  const [row] = await db
    .select({
      name: tables.actors.name,
      subject: tables.widgetVisitors.subject,
      email: tables.widgetVisitors.email,
      widgetKeyName: tables.widgetKeys.name,
    })
    .from(tables.widgetVisitors)
    .innerJoin(tables.actors, eq(tables.actors.id, tables.widgetVisitors.actorId))
    .innerJoin(tables.widgetKeys, eq(tables.widgetKeys.id, tables.widgetVisitors.widgetKeyId))
    .where(and(eq(tables.widgetVisitors.orgId, orgId), eq(tables.widgetVisitors.conversationId, conversationId)))
    .limit(1);
  return row ?? null;
}
