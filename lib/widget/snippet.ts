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
