import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { config } from "@/lib/config";
import type { WidgetSessionResponse } from "@/lib/contracts";
import { deriveKey } from "@/lib/crypto";
import { createCorrespondent } from "@/lib/agents/actors";
import { tables, type Db, type WidgetKey, type WidgetVisitor } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { recentTurns } from "@/lib/generations/conversations";
import { enforceIngressLimit } from "@/lib/ratelimit";
import { appearanceOf, findActiveWidgetKey } from "./keys";
import { originAllowed } from "./origins";

const TOKEN_TTL_SECONDS = 60 * 60;
const TOKEN_AUDIENCE = "conduit-widget";
/** How much of the conversation a new session shows. */
const HISTORY_SHOWN = 50;

const tokenKey = () => new Uint8Array(deriveKey("widget-visitor-tokens"));

export const StartWidgetSessionRequest = z.strictObject({
  key: z.string().min(1).max(200).meta({ description: "The publishable widget key (`pk_…`)" }),
  origin: z
    .string()
    .min(1)
    .max(300)
    .optional()
    .meta({
      description:
        "The origin of the page embedding the widget; a page calling from its own origin may leave it out (its Origin header says it)",
    }),
  visitor_id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/, "visitor_id is 8–64 letters, digits, - or _")
    .optional()
    .meta({ description: "The id the visitor's browser kept from an earlier session; a new visitor gets one" }),
});
export type StartWidgetSessionRequest = z.output<typeof StartWidgetSessionRequest>;

/** What a visitor token says: which visitor of which key (and so which agent) may chat. */
export interface VisitorClaims {
  visitorRowId: string;
  widgetKeyId: string;
}

/** A visitor's request: their token's claims, and the other site's page it came from, if any. */
export interface VisitorCaller extends VisitorClaims {
  pageOrigin: string | null;
}

export async function signVisitorToken(claims: VisitorClaims): Promise<{ token: string; expiresAt: Date }> {
  const expiresAt = new Date(Date.now() + TOKEN_TTL_SECONDS * 1000);
  const token = await new SignJWT({ wk: claims.widgetKeyId })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claims.visitorRowId)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(tokenKey());
  return { token, expiresAt };
}

/** The claims of a valid, unexpired visitor token; a 401 for anything else. */
export async function verifyVisitorToken(token: string): Promise<VisitorClaims> {
  try {
    const { payload } = await jwtVerify(token, tokenKey(), { algorithms: ["HS256"], audience: TOKEN_AUDIENCE });
    if (typeof payload.sub !== "string" || typeof payload.wk !== "string") throw new Error("missing claims");
    return { visitorRowId: payload.sub, widgetKeyId: payload.wk };
  } catch {
    throw new ApiError("UNAUTHENTICATED", "The visitor token is invalid or expired; start a new session");
  }
}

/** The visitor with this id for the key, created on their first session with their actor and conversation. */
async function visitorFor(db: Db, key: WidgetKey, visitorId: string): Promise<WidgetVisitor> {
  const byId = and(eq(tables.widgetVisitors.widgetKeyId, key.id), eq(tables.widgetVisitors.visitorId, visitorId));
  const [known] = await db.select().from(tables.widgetVisitors).where(byId).limit(1);
  if (known) return known;
  return db.transaction((tx) =>
    createCorrespondent(
      tx,
      { orgId: key.orgId, agentId: key.agentId, name: "Website visitor", type: "widget", externalId: visitorId, channel: "widget" },
      async ({ actorId, conversationId }) => {
        const [created] = await tx
          .insert(tables.widgetVisitors)
          .values({ orgId: key.orgId, widgetKeyId: key.id, visitorId, actorId, conversationId })
          .onConflictDoNothing()
          .returning();
        return created ?? null;
      },
      // The same visitor's first session arrived twice at once: the other one created them.
      async () => (await tx.select().from(tables.widgetVisitors).where(byId).limit(1))[0]!,
    ),
  );
}

/**
 * The embedding page's origin. A page of another site calling directly is its own Origin header,
 * which a script cannot change; the widget's iframe (on Conduit's origin) and servers say it in
 * the body.
 */
function embeddingOrigin(body: StartWidgetSessionRequest, pageOrigin: string | null): string {
  if (pageOrigin === null) {
    if (body.origin === undefined)
      throw new ApiError("VALIDATION_FAILED", "origin is required: the origin of the page embedding the widget");
    return body.origin;
  }
  if (body.origin !== undefined && body.origin !== pageOrigin) {
    throw new ApiError("FORBIDDEN", "origin must be the calling page's own origin");
  }
  return pageOrigin;
}

/**
 * Starts (or resumes) a visitor's session: the key must be active and the embedding page's origin
 * one of its allowed origins. The page cannot lie about its origin in a browser — the iframe's
 * `frame-ancestors` already refused any other — and a script outside a browser gains nothing a
 * visitor could not do: the limits per visitor, address and key apply either way.
 */
export async function startWidgetSession(
  db: Db,
  body: StartWidgetSessionRequest,
  caller: { ip: string; pageOrigin: string | null },
): Promise<WidgetSessionResponse> {
  await enforceIngressLimit("widget-session", caller.ip, config().WIDGET_SESSIONS_PER_IP_PER_MINUTE);
  const origin = embeddingOrigin(body, caller.pageOrigin);
  const key = await findActiveWidgetKey(db, body.key);
  if (!key) throw new ApiError("INVALID_API_KEY", "Unknown or revoked widget key");
  if (!originAllowed(origin, key.allowedOrigins)) {
    throw new ApiError("FORBIDDEN", "This site is not among the widget key's allowed origins");
  }
  const visitor = await visitorFor(db, key, body.visitor_id ?? randomUUID());
  const [agent] = await db
    .select({ publicId: tables.agents.publicId, name: tables.agents.name })
    .from(tables.agents)
    .where(eq(tables.agents.id, key.agentId));
  const { token, expiresAt } = await signVisitorToken({ visitorRowId: visitor.id, widgetKeyId: key.id });
  return {
    token,
    expires_at: expiresAt.toISOString(),
    visitor_id: visitor.visitorId,
    agent: { id: agent!.publicId, name: agent!.name ?? "Assistant" },
    appearance: appearanceOf(key),
    messages: await recentTurns(db, visitor.conversationId, { limit: HISTORY_SHOWN }),
  };
}
