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
