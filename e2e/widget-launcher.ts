import type { Page } from "@playwright/test";

/**
 * What the widget's loader drew, read through the DevTools protocol: the launcher lives in a
 * closed shadow root, out of reach of the page's scripts and of Playwright's selectors, but the
 * browser's own inspector sees it (and into same-origin frames, such as the dashboard's preview).
 */
export interface DrawnLauncher {
  /** The URL of the document the widget is on. */
  documentUrl: string;
  /** The launcher button's markup: icon and text. */
  markup: string;
  /** Its computed background colour, e.g. `rgb(15, 118, 110)`. */
  background: string;
  /** Whether the panel is shown open. */
  open: boolean;
}

interface DomNode {
  nodeId: number;
  localName?: string;
  attributes?: string[];
  documentURL?: string;
  children?: DomNode[];
  shadowRoots?: DomNode[];
  contentDocument?: DomNode;
}

const attribute = (node: DomNode, name: string) => {
  const attributes = node.attributes ?? [];
  for (let i = 0; i < attributes.length; i += 2) if (attributes[i] === name) return attributes[i + 1];
  return undefined;
};

function* walk(node: DomNode, documentUrl: string): Generator<{ node: DomNode; documentUrl: string }> {
  yield { node, documentUrl };
  for (const child of [...(node.children ?? []), ...(node.shadowRoots ?? [])]) yield* walk(child, documentUrl);
  if (node.contentDocument) yield* walk(node.contentDocument, node.contentDocument.documentURL ?? documentUrl);
}

/** Every widget launcher drawn on the page and in its same-origin frames. */
export async function drawnLaunchers(page: Page): Promise<DrawnLauncher[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send("DOM.enable");
    await cdp.send("CSS.enable");
    const { root } = (await cdp.send("DOM.getDocument", { depth: -1, pierce: true })) as { root: DomNode };
    const launchers: DrawnLauncher[] = [];
    for (const { node, documentUrl } of walk(root, root.documentURL ?? "")) {
      if (node.localName !== "conduit-chat-widget") continue;
      const shadow = node.shadowRoots?.[0];
      if (!shadow) continue;
      const inside = [...walk(shadow, documentUrl)].map((entry) => entry.node);
      const button = inside.find(
        (candidate) => candidate.localName === "button" && /\blauncher\b/.test(attribute(candidate, "class") ?? ""),
      );
      const container = inside.find((candidate) => /\bwidget\b/.test(attribute(candidate, "class") ?? ""));
      if (!button || !container) continue;
      const { outerHTML } = (await cdp.send("DOM.getOuterHTML", { nodeId: button.nodeId })) as { outerHTML: string };
      const { computedStyle } = (await cdp.send("CSS.getComputedStyleForNode", { nodeId: button.nodeId })) as {
        computedStyle: Array<{ name: string; value: string }>;
      };
      launchers.push({
        documentUrl,
        markup: outerHTML,
        background: computedStyle.find((property) => property.name === "background-color")?.value ?? "",
        open: /\bopen\b/.test(attribute(container, "class") ?? ""),
      });
    }
    return launchers;
  } finally {
    await cdp.detach();
  }
}
