import { randomUUID } from "node:crypto";
import { and, eq, ne } from "drizzle-orm";
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
import { verifyIdentityToken, type VisitorIdentity } from "./identity";
import { appearanceOf, findActiveWidgetKey } from "./keys";
import { originAllowed } from "./origins";

const TOKEN_TTL_SECONDS = 60 * 60;
const TOKEN_AUDIENCE = "conduit-widget";
/** How much of the conversation a new session shows. */
const HISTORY_SHOWN = 50;

const tokenKey = () => new Uint8Array(deriveKey("widget-visitor-tokens"));

export const StartWidgetSessionRequest = z.strictObject({
  key: z.string().min(1).max(200).meta({ description: "The publishable widget key (`pk_…`)" }),
  origin: z.string().min(1).max(300).optional().meta({
    description:
      "The origin of the page embedding the widget; a page calling from its own origin may leave it out (its Origin header says it)",
  }),
  visitor_id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/, "visitor_id is 8–64 letters, digits, - or _")
    .optional()
    .meta({ description: "The id the visitor's browser kept from an earlier session; a new visitor gets one" }),
  identity: z.string().min(1).max(4_000).optional().meta({
    description:
      "An identity token from the site's backend (JWT, HS256, signed with the key's identity secret; `sub`, `exp` at most 24 h ahead, optional `name`, `email`): the visitor is then that person, with one conversation on every device. An invalid one is refused (401), never treated as anonymous",
  }),
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

/** Who a session is for: an anonymous visitor (their browser's id) or an identified one (signed by the site). */
type VisitorRef = { kind: "anonymous"; visitorId: string } | { kind: "identified"; identity: VisitorIdentity };

/**
 * The key's visitor for this reference, created on their first session with their actor and
 * conversation. Anonymous visitors are found by the browser's id only and identified ones by
 * their subject only (a row has one or the other), so neither id reaches the other's conversation.
 */
async function visitorFor(db: Db, key: WidgetKey, ref: VisitorRef): Promise<WidgetVisitor> {
  const v = tables.widgetVisitors;
  const match = and(eq(v.widgetKeyId, key.id), ref.kind === "anonymous" ? eq(v.visitorId, ref.visitorId) : eq(v.subject, ref.identity.sub));
  const [known] = await db.select().from(v).where(match).limit(1);
  if (known) return ref.kind === "identified" ? refreshIdentity(db, known, ref.identity) : known;
  const who =
    ref.kind === "anonymous"
      ? { name: "Website visitor", type: "widget", externalId: ref.visitorId }
      : { name: ref.identity.name ?? ref.identity.email ?? ref.identity.sub, type: "widget_user", externalId: ref.identity.sub };
  const row = ref.kind === "anonymous" ? { visitorId: ref.visitorId } : { subject: ref.identity.sub, email: ref.identity.email };
  return db.transaction((tx) =>
    createCorrespondent(
      tx,
      { orgId: key.orgId, agentId: key.agentId, channel: "widget", ...who },
      async ({ actorId, conversationId }) => {
        const [created] = await tx
          .insert(v)
          .values({ orgId: key.orgId, widgetKeyId: key.id, actorId, conversationId, ...row })
          .onConflictDoNothing()
          .returning();
        return created ?? null;
      },
      // The same visitor's first session arrived twice at once: the other one created them.
      async () => (await tx.select().from(v).where(match).limit(1))[0]!,
    ),
  );
}

/** Keeps an identified visitor's name and email as the site last signed them; a claim left out changes nothing. */
async function refreshIdentity(db: Db, visitor: WidgetVisitor, identity: VisitorIdentity): Promise<WidgetVisitor> {
  if (identity.name) {
    await db
      .update(tables.actors)
      .set({ name: identity.name })
      .where(and(eq(tables.actors.id, visitor.actorId), ne(tables.actors.name, identity.name)));
  }
  if (identity.email && identity.email !== visitor.email) {
    await db.update(tables.widgetVisitors).set({ email: identity.email }).where(eq(tables.widgetVisitors.id, visitor.id));
  }
  return { ...visitor, email: identity.email ?? visitor.email };
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
  const visitor = await visitorFor(
    db,
    key,
    body.identity
      ? { kind: "identified", identity: await verifyIdentityToken(key, body.identity) }
      : { kind: "anonymous", visitorId: body.visitor_id ?? randomUUID() },
  );
  const [agent] = await db
    .select({ publicId: tables.agents.publicId, name: tables.agents.name })
    .from(tables.agents)
    .where(eq(tables.agents.id, key.agentId));
  const [actor] = await db.select({ name: tables.actors.name }).from(tables.actors).where(eq(tables.actors.id, visitor.actorId));
  const { token, expiresAt } = await signVisitorToken({ visitorRowId: visitor.id, widgetKeyId: key.id });
  return {
    token,
    expires_at: expiresAt.toISOString(),
    visitor_id: visitor.visitorId,
    identity: visitor.subject === null ? null : { sub: visitor.subject, name: actor!.name, email: visitor.email },
    agent: { id: agent!.publicId, name: agent!.name ?? "Assistant" },
    appearance: appearanceOf(key),
    messages: await recentTurns(db, visitor.conversationId, { limit: HISTORY_SHOWN }),
  };
}
