/*
 * Conduit chat widget loader.
 *
 *   <script src="https://HOST/widget.js" data-key="pk_…" async></script>
 *
 * It draws a launcher button and a panel holding an iframe served by Conduit; the conversation
 * itself runs inside that iframe, on Conduit's origin, so nothing on the page can read it and
 * the page's styles cannot reach it. The loader and the iframe talk only through postMessage,
 * each side checking the other's origin. Plain, framework-free JavaScript: it runs as served.
 */
(() => {
  "use strict";

  const script = document.currentScript;
  // Loaded twice (two tags, or a tag re-inserted by a single-page app): the first copy stays in charge.
  if (!script || window.__conduitWidgetLoaded) return;
  /*
   * "open" or "closed" only on Conduit's own preview page (/embed/preview), which the dashboard
   * frames to show a look before it is saved: no key, no session, the panel opened without focus.
   */
  const preview = script.dataset.preview || "";
  const key = preview ? "preview" : script.dataset.key;
  if (!key) {
    console.warn("Conduit widget: the script tag needs a data-key attribute with a publishable key (pk_…).");
    return;
  }
  window.__conduitWidgetLoaded = true;

  // Conduit is wherever this script came from; the page's own origin plays no part.
  const host = new URL(script.src).origin;
  // A page with a nonce-based CSP passes its nonce on; only the fallback <style> element needs it.
  const nonce = script.dataset.nonce || script.nonce || "";
  const MESSAGE_PREFIX = "conduit:";
  const COLOR_PATTERN = /^#(?:[0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

  const css = `
    :host { all: initial; }
    * { box-sizing: border-box; }
    .launcher {
      position: fixed; bottom: 20px; right: 20px; width: 56px; height: 56px; padding: 0;
      border: none; border-radius: 50%; cursor: pointer; color: #fff; background: var(--conduit-color, #2563eb);
      box-shadow: 0 4px 14px rgba(0, 0, 0, 0.25); display: none; align-items: center; justify-content: center;
    }
    .ready .launcher { display: flex; }
    .open .launcher { display: none; }
    .left .launcher, .left .panel { right: auto; left: 20px; }
    .launcher:focus-visible, .close:focus-visible { outline: 3px solid #111; outline-offset: 3px; box-shadow: 0 0 0 6px #fff; }
    .launcher svg { flex: none; width: 28px; height: 28px; }
    .pill {
      width: auto; max-width: calc(100vw - 40px); height: 56px; gap: 8px; padding: 0 22px 0 16px; border-radius: 28px;
      font: 600 15px/1 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
    }
    .icon { display: contents; }
    .label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .panel {
      position: fixed; bottom: 20px; right: 20px; width: 380px; max-width: calc(100vw - 40px);
      height: 600px; max-height: calc(100vh - 40px); max-height: calc(100dvh - 40px);
      display: flex; flex-direction: column; overflow: hidden; border-radius: 12px; background: #fff;
      box-shadow: 0 8px 32px rgba(0, 0, 0, 0.3); visibility: hidden; opacity: 0; transform: translateY(12px);
      transition: opacity 0.15s ease, transform 0.15s ease, visibility 0s linear 0.15s;
      /* While it fades out it is already closed: clicks go to the launcher beneath, not to a vanishing panel. */
      pointer-events: none;
    }
    .open .panel {
      visibility: visible; opacity: 1; transform: none; pointer-events: auto;
      transition: opacity 0.15s ease, transform 0.15s ease;
    }
    .header {
      display: flex; align-items: center; justify-content: space-between; gap: 8px; padding: 10px 12px 10px 16px;
      color: #fff; background: var(--conduit-color, #2563eb);
      font: 600 15px/1.3 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
    }
    .title { margin: 0; font: inherit; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .close {
      flex: none; width: 32px; height: 32px; padding: 0; border: none; border-radius: 6px; cursor: pointer;
      color: inherit; background: transparent; display: flex; align-items: center; justify-content: center;
    }
    .close:hover { background: rgba(0, 0, 0, 0.15); }
    .close svg { width: 20px; height: 20px; }
    iframe { flex: 1; width: 100%; border: none; display: block; color-scheme: normal; }
    .sentinel { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
    @media (max-width: 640px) {
      .panel, .left .panel { inset: 0; width: 100vw; max-width: none; height: 100vh; height: 100dvh; max-height: none; border-radius: 0; }
    }
    @media (prefers-reduced-motion: reduce) { .panel, .open .panel { transition: none; } }
  `;

  const icon = (path) =>
    `<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="${path}"/></svg>`;
  // The launcher icons a key may choose (appearance.launcher_icon): drawn inline, nothing is fetched.
  const LAUNCHER_ICONS = {
    chat: "M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z",
    help: "M22 12a10 10 0 1 1-20 0 10 10 0 0 1 20 0zM9.1 9a3 3 0 0 1 5.8 1c0 2-3 3-3 3M12 17h.01",
    sparkles:
      "M9.9 15.5a2 2 0 0 0-1.4-1.4l-6.1-1.6a.5.5 0 0 1 0-1l6.1-1.6a2 2 0 0 0 1.4-1.4l1.6-6.1a.5.5 0 0 1 1 0l1.6 6.1a2 2 0 0 0 1.4 1.4l6.1 1.6a.5.5 0 0 1 0 1l-6.1 1.6a2 2 0 0 0-1.4 1.4l-1.6 6.1a.5.5 0 0 1-1 0zM20 3v4M22 5h-4M4 17v2M5 18H3",
    message:
      "M21 11.5a8.4 8.4 0 0 1-.9 3.8 8.5 8.5 0 0 1-7.6 4.7 8.4 8.4 0 0 1-3.8-.9L3 21l1.9-5.7a8.4 8.4 0 0 1-.9-3.8 8.5 8.5 0 0 1 4.7-7.6 8.4 8.4 0 0 1 3.8-.9h.5a8.5 8.5 0 0 1 8 8z",
  };
  const CLOSE_ICON = icon("M18 6 6 18M6 6l12 12");

  // A custom element name: page rules written for div or section never match it.
  const hostElement = document.createElement("conduit-chat-widget");
  // Set through the CSSOM, which a page's CSP style-src does not govern (a style attribute would be).
  hostElement.style.setProperty("position", "fixed", "important");
  hostElement.style.setProperty("z-index", "2147483647", "important");
  hostElement.style.setProperty("inset", "auto 0 0 auto", "important");
  hostElement.style.setProperty("width", "0", "important");
  hostElement.style.setProperty("height", "0", "important");
  hostElement.dataset.state = "loading";
  // Closed: the page's scripts cannot reach into the widget, and its styles cannot leak out.
  const root = hostElement.attachShadow({ mode: "closed" });

  // A constructed stylesheet needs neither a nonce nor 'unsafe-inline'; browsers without one get a <style>.
  if ("adoptedStyleSheets" in Document.prototype && "replaceSync" in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = document.createElement("style");
    if (nonce) style.nonce = nonce;
    style.textContent = css;
    root.append(style);
  }

  const container = document.createElement("div");
  container.className = "widget";

  const launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.setAttribute("aria-label", "Open chat");
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "conduit-panel");
  const launcherIcon = document.createElement("span");
  launcherIcon.className = "icon";
  launcherIcon.innerHTML = icon(LAUNCHER_ICONS.chat);
  const launcherLabel = document.createElement("span");
  launcherLabel.className = "label";
  launcherLabel.hidden = true;
  launcher.append(launcherIcon, launcherLabel);

  const panel = document.createElement("div");
  panel.className = "panel";
  panel.id = "conduit-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "true");
  panel.setAttribute("aria-labelledby", "conduit-title");

  const header = document.createElement("div");
  header.className = "header";
  const title = document.createElement("h2");
  title.className = "title";
  title.id = "conduit-title";
  title.textContent = "Chat";
  const closeButton = document.createElement("button");
  closeButton.type = "button";
  closeButton.className = "close";
  closeButton.setAttribute("aria-label", "Close chat");
  closeButton.innerHTML = CLOSE_ICON;
  header.append(title, closeButton);

  const iframe = document.createElement("iframe");
  iframe.title = "Chat";
  // `/embed/{anything}?key=…` resolves the agent from the key, so the loader needs to know nothing else.
  iframe.src = preview ? `${host}/embed/preview/chat` : `${host}/embed/w?key=${encodeURIComponent(key)}`;

  // Focusable edges around the panel: tabbing past either end wraps around instead of leaving the dialog.
  const startSentinel = document.createElement("span");
  const endSentinel = document.createElement("span");
  for (const sentinel of [startSentinel, endSentinel]) {
    sentinel.className = "sentinel";
    sentinel.tabIndex = 0;
    sentinel.setAttribute("aria-hidden", "true");
  }
  panel.append(startSentinel, header, iframe, endSentinel);
  container.append(launcher, panel);
  root.append(container);

  let ready = false;
  let isOpen = false;
  let openWhenReady = false;
  let identity = null;
  let iframeLoaded = false;
  let focusBeforeOpen = null;
  let previewLook = null;

  function post(message) {
    iframe.contentWindow?.postMessage(message, host);
  }

  function setOpen(open) {
    if (!ready) {
      // A page may call Conduit("open") before the session is up; honour it once it is.
      openWhenReady = open;
      return;
    }
    if (open === isOpen) return;
    isOpen = open;
    container.classList.toggle("open", open);
    launcher.setAttribute("aria-expanded", String(open));
    hostElement.dataset.state = open ? "open" : "ready";
    if (open) {
      focusBeforeOpen = document.activeElement;
      iframe.focus();
      post({ type: "conduit:open" });
    } else {
      post({ type: "conduit:closed" });
      // Back to where the visitor was; the launcher if that was inside the widget or is gone.
      const previous = focusBeforeOpen;
      focusBeforeOpen = null;
      if (previous && previous !== hostElement && previous !== document.body && previous.isConnected) previous.focus();
      else launcher.focus();
    }
  }

  function applyAppearance(appearance, agent) {
    const color = appearance && typeof appearance.color === "string" && COLOR_PATTERN.test(appearance.color) ? appearance.color : "";
    if (color) hostElement.style.setProperty("--conduit-color", color);
    container.classList.toggle("left", Boolean(appearance && appearance.position === "left"));
    const name = agent && typeof agent.name === "string" && agent.name ? agent.name : "Chat";
    title.textContent = name;
    iframe.title = `Chat with ${name}`;
    const iconName =
      appearance && Object.prototype.hasOwnProperty.call(LAUNCHER_ICONS, appearance.launcher_icon) ? appearance.launcher_icon : "chat";
    launcherIcon.innerHTML = icon(LAUNCHER_ICONS[iconName]);
    const label = appearance && typeof appearance.launcher_label === "string" ? appearance.launcher_label.trim().slice(0, 40) : "";
    launcherLabel.textContent = label;
    launcherLabel.hidden = !label;
    launcher.classList.toggle("pill", Boolean(label));
    // The visible words lead the accessible name, so speech input can say what it sees.
    launcher.setAttribute("aria-label", label ? `${label} (chat with ${name})` : `Open chat with ${name}`);
  }

  window.addEventListener("message", (event) => {
    // On the preview page, the dashboard framing it hands over the look to show, for the chat to draw.
    if (preview && event.origin === host && event.source === window.parent && event.data?.type === "conduit:preview") {
      previewLook = event.data;
      post(previewLook);
      return;
    }
    // Only our own iframe, served from Conduit's origin, may drive the widget.
    if (event.origin !== host || event.source !== iframe.contentWindow) return;
    const message = event.data;
    if (!message || typeof message.type !== "string" || !message.type.startsWith(MESSAGE_PREFIX)) return;
    switch (message.type) {
      case "conduit:ready":
        applyAppearance(message.appearance, message.agent);
        if (!ready) {
          ready = true;
          container.classList.add("ready");
          hostElement.dataset.state = "ready";
          if (openWhenReady) setOpen(true);
          // Shown open without taking the focus: the preview is a picture, not a chat.
          if (preview === "open") container.classList.add("open");
        }
        break;
      case "conduit:close":
        setOpen(false);
        break;
      case "conduit:visitor":
        if (typeof message.visitor_id === "string" && VISITOR_ID_PATTERN.test(message.visitor_id)) {
          try {
            localStorage.setItem(VISITOR_STORAGE_KEY, message.visitor_id);
          } catch {
            // No storage on either side: the conversation lasts as long as the page.
          }
        }
        break;
      case "conduit:unavailable":
        if (typeof message.reason === "string" && message.reason) console.warn(`Conduit widget: ${message.reason}`);
        // Revoked key, disallowed origin, refused identity: no launcher rather than a broken chat.
        if (isOpen) setOpen(false);
        ready = false;
        container.classList.remove("ready");
        hostElement.dataset.state = "unavailable";
        break;
    }
  });

  // Where the browser refuses the iframe its own storage, the visitor id lives in the page's (see embed.js).
  const VISITOR_STORAGE_KEY = `conduit:visitor:${key}`;
  const VISITOR_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

  function pageVisitorId() {
    try {
      return localStorage.getItem(VISITOR_STORAGE_KEY);
    } catch {
      return null;
    }
  }

  /*
   * The iframe waits for this first message: the page's origin (where the browser lacks
   * location.ancestorOrigins), the visitor id the page keeps, and an identity given before it loaded.
   */
  iframe.addEventListener("load", () => {
    iframeLoaded = true;
    post(previewLook || { type: "conduit:hello", visitor_id: pageVisitorId(), identity });
  });

  launcher.addEventListener("click", () => setOpen(true));
  closeButton.addEventListener("click", () => setOpen(false));
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen) {
      event.stopPropagation();
      setOpen(false);
    }
  });
  startSentinel.addEventListener("focus", () => {
    iframe.focus();
    post({ type: "conduit:focus", edge: "last" });
  });
  endSentinel.addEventListener("focus", () => closeButton.focus());

  const commands = {
    open: () => setOpen(true),
    close: () => setOpen(false),
    identify: (options) => {
      const token = options && typeof options.token === "string" ? options.token : null;
      if (!token) return console.warn('Conduit widget: identify needs { token: "…" } signed by your backend.');
      identity = token;
      // Before the chat has loaded, the token goes with its first message; after, the chat starts that person's session.
      if (iframeLoaded) post({ type: "conduit:identify", token });
    },
  };

  function run(command, ...args) {
    const handler = Object.prototype.hasOwnProperty.call(commands, command) ? commands[command] : null;
    if (handler) handler(...args);
    else console.warn(`Conduit widget: unknown command "${String(command)}"; use open, close or identify.`);
  }

  // Calls made before this script arrived wait in Conduit.q (see the snippet); replay them in order.
  const queued = (typeof window.Conduit === "function" && Array.isArray(window.Conduit.q) && window.Conduit.q) || [];
  window.Conduit = run;

  function mount() {
    (document.body || document.documentElement).append(hostElement);
    for (const args of queued) run(...args);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount, { once: true });
})();
