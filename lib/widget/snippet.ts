/**
 * What a website owner pastes to embed the widget. Pure and client-safe: the dashboard shows
 * these next to a new key, with the address Conduit is reached at.
 */

const withoutTrailingSlash = (publicUrl: string) => publicUrl.replace(/\/+$/, "");

/** The one script tag that embeds the widget for a publishable key. */
export function widgetScriptTag(publicUrl: string, key: string): string {
  return `<script src="${withoutTrailingSlash(publicUrl)}/widget.js" data-key="${key}" async></script>`;
}

/**
 * The directives a site with a strict Content-Security-Policy adds to its own: the loader comes
 * from Conduit's origin and the chat opens in a frame served from there too.
 */
export function widgetCspDirectives(publicUrl: string): string {
  const { origin } = new URL(publicUrl);
  return `script-src ${origin}; frame-src ${origin}`;
}

/**
 * How a site's backend signs who its signed-in visitor is (Node, with jose), and how its page
 * hands the token to the widget: before the script tag, through the queue.
 */
export const IDENTITY_SIGNING_EXAMPLE = `// On your server, for the signed-in user (never in the browser): npm install jose
import { SignJWT } from "jose";

const secret = new TextEncoder().encode(process.env.CONDUIT_WIDGET_IDENTITY_SECRET); // wis_…
const token = await new SignJWT({ name: user.name, email: user.email })
  .setProtectedHeader({ alg: "HS256" })
  .setSubject(String(user.id)) // your own user id, at most 200 characters
  .setExpirationTime("1h") // at most 24 hours ahead
  .sign(secret);

// In the page, before the widget's script tag:
// <script>
//   window.Conduit = window.Conduit || function () { (Conduit.q = Conduit.q || []).push(arguments); };
//   Conduit("identify", { token: "<the token above>" });
// </script>`;
