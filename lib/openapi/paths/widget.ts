/**
 * The website widget: publishable keys (`/api/widget-keys…`, personal access token, owners and
 * admins change them) and the endpoints its iframe calls (`/api/embed/…`).
 */
import { ok, operation, pathParam, surfaces, type Paths } from "../operation";

const keyId = pathParam("id", "The widget key's id (`wk_…`)");

export const widgetPaths: Paths = {
  "/api/widget-keys": {
    get: operation(surfaces.administration, "listWidgetKeys", {
      tag: "widget",
      summary: "The organisation's widget keys",
      responses: { 200: ok("Widget keys (never the keys themselves)", "WidgetKeyListResponse") },
      errors: [401, 429],
    }),
    post: operation(surfaces.administration, "createWidgetKey", {
      tag: "widget",
      summary: "Create a publishable widget key for one agent (owners and admins)",
      description:
        "Allowed origins are normalised (`https://host[:port]`; http only for localhost). The key (`pk_…`) is stored hashed and shown only in this response, as is its identity secret (`wis_…`, stored encrypted), which your backend signs visitor identity tokens with.",
      body: "CreateWidgetKeyRequest",
      responses: { 201: ok("The key, with the key itself", "CreateWidgetKeyResponse") },
      errors: [400, 401, 404, 413, 429],
    }),
  },
  "/api/widget-keys/{id}": {
    get: operation(surfaces.administration, "getWidgetKey", {
      tag: "widget",
      summary: "One widget key",
      parameters: [keyId],
      responses: { 200: ok("The widget key", "WidgetKeyResponse") },
      errors: [401, 404, 429],
    }),
    patch: operation(surfaces.administration, "updateWidgetKey", {
      tag: "widget",
      summary: "Change a widget key's name, allowed origins, appearance or daily cap (owners and admins)",
      parameters: [keyId],
      body: "UpdateWidgetKeyRequest",
      responses: { 200: ok("The widget key", "WidgetKeyResponse") },
      errors: [400, 401, 404, 413, 429],
    }),
    delete: operation(surfaces.administration, "revokeWidgetKey", {
      tag: "widget",
      summary: "Revoke a widget key (owners and admins)",
      description: "Pages can no longer start sessions with it; open sessions stop at their next message.",
      parameters: [keyId],
      responses: { 200: ok("The revoked key", "WidgetKeyResponse") },
      errors: [401, 404, 429],
    }),
  },
  "/api/widget-keys/{id}/identity-secret": {
    post: operation(surfaces.administration, "rotateWidgetIdentitySecret", {
      tag: "widget",
      summary: "Replace a widget key's identity secret (owners and admins)",
      description:
        "The new secret (`wis_…`) is in this response only; identity tokens signed with the old one are refused from now on. Keys created before identities existed have none until this is called.",
      parameters: [keyId],
      responses: { 200: ok("The key with its new identity secret", "RotateWidgetIdentitySecretResponse") },
      errors: [401, 404, 409, 429],
    }),
  },
  "/api/embed/session": {
    post: operation(surfaces.public, "startWidgetSession", {
      tag: "widget",
      summary: "Start a visitor's session (called by the widget's iframe)",
      description:
        "The key must be active and `origin` one of its allowed origins. Returns a visitor token (one hour) and the visitor's conversation so far. With `identity`, the visitor is the person the site's backend signed for (one conversation on every device); an invalid, expired or wrongly signed identity is a 401.",
      body: "StartWidgetSessionRequest",
      responses: { 200: ok("The session", "WidgetSessionResponse") },
      errors: [400, 401, 403, 413, 429],
    }),
  },
  "/api/embed/chat": {
    post: operation(surfaces.widgetVisitor, "sendWidgetMessage", {
      tag: "widget",
      summary: "A visitor's message; the answer streams back as NDJSON",
      description:
        "Lines as the agent chat's stream: `delta`, tool activity, then `done` (or `error`). Limited per visitor, per address and by the key's daily cap (429 with Retry-After).",
      body: "WidgetChatRequest",
      responses: { 200: { description: "NDJSON stream", content: { "application/x-ndjson": { schema: { type: "string" } } } } },
      errors: [400, 401, 413, 429, 502, 504],
    }),
  },
};
