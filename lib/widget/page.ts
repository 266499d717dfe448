import type { Db } from "@/lib/db";
import { findActiveWidgetKey } from "./keys";

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char]!);

const html = (status: number, body: string, headers: Record<string, string> = {}) =>
  new Response(`<!doctype html><html lang="en"><head><meta charset="utf-8">${body}</html>`, {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", ...headers },
  });

/**
 * The widget's iframe page. Only the key's allowed origins may frame it (`frame-ancestors`, set
 * per request from the key), and it runs nothing but Conduit's own script and styles.
 */
export async function embedPage(db: Db, key: string | null): Promise<Response> {
  const record = key ? await findActiveWidgetKey(db, key) : null;
  if (!key || !record) {
    return html(404, `<title>Chat unavailable</title></head><body><p>This chat is not available.</p></body>`, {
      "Content-Security-Policy": "default-src 'none'; frame-ancestors *",
    });
  }
  const policy = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${record.allowedOrigins.join(" ")}`,
  ].join("; ");
  return html(
    200,
    `<meta name="viewport" content="width=device-width, initial-scale=1, interactive-widget=resizes-content">` +
      `<meta name="referrer" content="no-referrer"><title>Chat</title><link rel="stylesheet" href="/embed.css"></head>` +
      `<body><div id="conduit-chat" data-key="${escapeHtml(key)}"></div><script src="/embed.js" defer></script></body>`,
    { "Content-Security-Policy": policy, "Referrer-Policy": "no-referrer" },
  );
}

/** Conduit's own pages only: the previews are framed by the dashboard and by nothing else. */
const PREVIEW_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "frame-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join("; ");

const previewHeaders = { "Content-Security-Policy": PREVIEW_POLICY, "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex" };

/**
 * A blank page with the widget's own loader on it, in preview mode: the launcher (`closed`) or
 * the open panel (`open`) drawn by the same code and styles as on a website, in whatever look
 * the framing dashboard posts. It needs no key and starts no session.
 */
export function widgetPreviewPage(state: "open" | "closed"): Response {
  return html(
    200,
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>Widget preview</title></head>` +
      `<body><script src="/widget.js" data-preview="${state}"></script></body>`,
    previewHeaders,
  );
}

/** The chat inside the preview's panel: the real chat's page, drawing a sample conversation and sending nothing. */
export function widgetPreviewChatPage(): Response {
  return html(
    200,
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>Chat preview</title><link rel="stylesheet" href="/embed.css"></head>` +
      `<body><div id="conduit-chat" data-preview></div><script src="/embed.js" defer></script></body>`,
    previewHeaders,
  );
}
