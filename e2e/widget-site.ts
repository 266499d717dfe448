import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A customer's website on a loopback origin of its own, embedding the widget the way the README
 * tells customers to: `/plain?key=pk_…` with the one script tag, `/strict?key=pk_…` under a strict
 * nonce-based Content-Security-Policy with the documented snippet (which also queues an `open`),
 * and `/blank`, a page without the widget whose scripts call Conduit's API themselves.
 */
export interface WidgetSite {
  /** `http://localhost:<port>`: a different origin from the app's `http://127.0.0.1:<port>`. */
  origin: string;
  close(): Promise<void>;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
</head>
<body>
<main>
<h1>${title}</h1>
<p>A page of a website that embeds a Conduit agent. <a href="/plain">A link on the page</a>.</p>
</main>
${body}
</body>
</html>`;
}

export async function startWidgetSite(appOrigin: string): Promise<WidgetSite> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const key = escapeAttribute(url.searchParams.get("key") ?? "");
    const src = `${appOrigin}/widget.js`;
    if (url.pathname === "/plain") {
      response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      response.end(page("Plain page", `<script src="${src}" data-key="${key}" async></script>`));
      return;
    }
    if (url.pathname === "/strict") {
      const nonce = randomBytes(16).toString("base64");
      response.writeHead(200, {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": `script-src ${appOrigin} 'nonce-${nonce}'; frame-src ${appOrigin}; style-src 'self'`,
      });
      response.end(
        page(
          "Strict page",
          `<script nonce="${nonce}">window.Conduit = window.Conduit || function () { (Conduit.q = Conduit.q || []).push(arguments); };
Conduit("open");</script>
<script src="${src}" data-key="${key}" data-nonce="${nonce}" async></script>`,
        ),
      );
      return;
    }
    if (url.pathname === "/blank") {
      response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      response.end(page("Own chat page", ""));
      return;
    }
    response.writeHead(404, { "Content-Type": "text/plain" });
    response.end("not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://localhost:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
