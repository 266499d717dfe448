/*
 * The chat inside the widget's iframe, served by Conduit at /embed/…?key=pk_…. It opens a visitor
 * session for the embedding page's origin, shows the conversation so far, and streams replies
 * from /api/embed/chat. It speaks to the page around it only through postMessage, and only to
 * the origin that embeds it. Plain JavaScript: the page's CSP allows scripts from this origin only.
 */
(() => {
  "use strict";

  const mount = document.getElementById("conduit-chat");
  if (!mount) return;
  const key = mount.dataset.key || "";
  const MAX_MESSAGE_CHARS = 4000;
  const TOKEN_REFRESH_MARGIN_MS = 10_000;
  const TOOL_NOTICE_MS = 1500;
  const VISITOR_STORAGE_KEY = `conduit:visitor:${key}`;
  const embedded = window.parent !== window;
  // The dashboard's preview (/embed/preview/chat): the look it is handed, a sample exchange, no session and nothing sent.
  const preview = mount.dataset.preview !== undefined;
  const PREVIEW_MESSAGES = [{ role: "user", content: "Hello! Can you help me with my order?" }];

  /*
   * The embedding page's origin. The browser vouches for location.ancestorOrigins; where it is
   * missing (Firefox) the loader's first message tells us, and the server checks that origin
   * against the key's list while frame-ancestors keeps other sites from framing us at all.
   */
  let parentOrigin = (location.ancestorOrigins && location.ancestorOrigins[0]) || null;
  let session = null;
  let started = false;
  /*
   * Browsers that block third-party storage (Chrome's private windows, blocked third-party cookies)
   * refuse the iframe its localStorage. The loader then keeps the visitor id in the page's own
   * storage and hands it over in its first message, so the conversation still survives a reload.
   */
  let pageVisitorId = null;
  /*
   * The identity token the page passed on with Conduit("identify"): signed by the site's backend,
   * it makes the visitor that person, with their conversation on every device.
   */
  let identity = null;
  /** The newest session request: an identity arriving mid-request makes older answers stale. */
  let latestSession = null;
  let sending = false;
  let toolNoticeTimer = 0;

  // ---- DOM -------------------------------------------------------------------------------------

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const list = element("ol", "messages");
  list.setAttribute("aria-label", "Conversation");
  // Announced once a reply is complete; announcing the list itself would read out every streamed token.
  const announcer = element("div", "visually-hidden");
  announcer.setAttribute("aria-live", "polite");
  const status = element("p", "status");
  status.setAttribute("role", "status");
  const form = element("form", "composer");
  const label = element("label", "visually-hidden", "Message");
  label.htmlFor = "conduit-input";
  const input = element("textarea", "input");
  input.id = "conduit-input";
  input.rows = 1;
  input.maxLength = MAX_MESSAGE_CHARS;
  input.placeholder = "Type a message…";
  input.disabled = true;
  const sendButton = element("button", "send", "Send");
  sendButton.type = "submit";
  sendButton.disabled = true;
  form.append(label, input, sendButton);
  const branding = element("p", "branding", "Powered by Conduit");
  branding.hidden = true;
  mount.append(list, announcer, status, form, branding);

  function appendMessage(role, content) {
    const item = element("li", `message ${role === "user" ? "user" : "assistant"}`);
    const speaker = element("span", "visually-hidden", role === "user" ? "You: " : "Assistant: ");
    const body = element("span", "content", content);
    item.append(speaker, body);
    list.append(item);
    list.scrollTop = list.scrollHeight;
    return body;
  }

  function showStatus(text, tone) {
    status.textContent = text;
    status.dataset.tone = tone || "info";
  }

  function setComposerEnabled(enabled) {
    input.disabled = !enabled;
    sendButton.disabled = !enabled;
  }

  // ---- Messages to and from the page -------------------------------------------------------------

  function tellPage(message) {
    // Nothing goes out before the page's origin is known: "*" would hand the message to whoever framed us.
    if (embedded && parentOrigin) window.parent.postMessage(message, parentOrigin);
  }

  function focusEdge(edge) {
    const focusable = [input, sendButton].filter((node) => !node.disabled);
    const target = edge === "last" ? focusable[focusable.length - 1] : focusable[0];
    target?.focus();
  }

  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || !event.data || typeof event.data.type !== "string") return;
    if (preview) {
      if (event.origin === location.origin && event.data.type === "conduit:preview") showPreview(event.data);
      return;
    }
    if (event.data.type === "conduit:hello") {
      if (!parentOrigin) parentOrigin = event.origin;
      else if (event.origin !== parentOrigin) return;
      if (typeof event.data.visitor_id === "string") pageVisitorId = event.data.visitor_id;
      if (typeof event.data.identity === "string") identity = event.data.identity;
      begin();
      return;
    }
    if (event.origin !== parentOrigin) return;
    switch (event.data.type) {
      case "conduit:open":
        focusEdge("first");
        break;
      case "conduit:focus":
        focusEdge(event.data.edge);
        break;
      case "conduit:identify":
        if (typeof event.data.token !== "string" || event.data.token === identity) break;
        identity = event.data.token;
        // Someone else now, or the same person with a fresh token: their session, their conversation.
        if (started) startSession({ redraw: true });
        break;
    }
  });

  // Key events stay inside the iframe, so Escape is passed on for the page to close the panel.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") tellPage({ type: "conduit:close" });
  });

  // ---- Visitor and session -----------------------------------------------------------------------

  /** The visitor id the iframe keeps itself, or "" if it has none; null where the browser refuses the iframe storage. */
  function readOwnVisitorId() {
    try {
      return localStorage.getItem(VISITOR_STORAGE_KEY) || "";
    } catch {
      return null;
    }
  }

  function readVisitorId() {
    return readOwnVisitorId() || pageVisitorId;
  }

  function storeVisitorId(visitorId) {
    try {
      localStorage.setItem(VISITOR_STORAGE_KEY, visitorId);
    } catch {
      // Refused (see pageVisitorId): the loader keeps it in the page's storage instead.
      tellPage({ type: "conduit:visitor", visitor_id: visitorId });
    }
  }

  /** "42 s", "5 min", "3 h": a daily cap can mean hours, which nobody wants to read in seconds. */
  function formatWait(seconds) {
    if (seconds < 90) return `${seconds} s`;
    if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
    return `${Math.round(seconds / 3600)} h`;
  }

  /** Seconds to wait from a Retry-After header (seconds or an HTTP date), at least one. */
  function retryAfterSeconds(response) {
    const header = response.headers.get("Retry-After") || "";
    const seconds = /^\d+$/.test(header.trim()) ? Number(header) : Math.ceil((Date.parse(header) - Date.now()) / 1000);
    return Number.isFinite(seconds) && seconds > 0 ? seconds : 1;
  }

  async function errorOf(response) {
    try {
      const body = await response.json();
      return { code: (body && body.error && body.error.code) || "", message: (body && body.error && body.error.message) || "" };
    } catch {
      return { code: "", message: "" };
    }
  }

  async function errorCode(response) {
    return (await errorOf(response)).code;
  }

  function applyAppearance(appearance) {
    if (appearance.color && /^#[0-9a-f]{3,8}$/i.test(appearance.color)) {
      document.documentElement.style.setProperty("--accent", appearance.color);
    }
    if (appearance.placeholder) input.placeholder = appearance.placeholder;
    branding.hidden = appearance.branding === false;
  }

  function renderHistory(messages, greeting) {
    list.replaceChildren();
    if (greeting) appendMessage("assistant", greeting).parentElement.classList.add("greeting");
    for (const message of messages) appendMessage(message.role, message.content);
  }

  /**
   * Opens (or renews) the visitor's session; resolves to whether one is open. The conversation is
   * drawn from it the first time and when asked; a renewed token carries the same conversation.
   */
  function startSession(options) {
    const attempt = openSession(options || {}, () => attempt !== latestSession);
    latestSession = attempt;
    return attempt;
  }

  async function openSession({ redraw = !session }, superseded) {
    const body = { key, origin: parentOrigin || location.origin };
    const visitorId = readVisitorId();
    if (visitorId) body.visitor_id = visitorId;
    if (identity) body.identity = identity;
    let response;
    try {
      response = await fetch("/api/embed/session", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    } catch {
      showStatus("Cannot reach the chat service. Check your connection and reload the page.", "error");
      return false;
    }
    if (superseded()) return latestSession;
    if (response.status === 429) {
      const wait = retryAfterSeconds(response);
      showStatus(`The chat is busy — trying again in ${formatWait(wait)}.`, "error");
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      return startSession({ redraw });
    }
    if (!response.ok) {
      const { code, message } = await errorOf(response);
      session = null;
      setComposerEnabled(false);
      // A refused identity is never swapped for an anonymous chat: the page hears why, to fix its token.
      const identityRefused = Boolean(body.identity) && response.status === 401 && code === "UNAUTHENTICATED";
      showStatus(
        identityRefused ? "Your sign-in could not be confirmed. Reload the page to chat." : "This chat is not available here.",
        "error",
      );
      tellPage({ type: "conduit:unavailable", code, ...(identityRefused ? { reason: message } : {}) });
      return false;
    }
    const data = await response.json();
    session = { token: data.token, expiresAt: Date.parse(data.expires_at) };
    // An identified visitor is known by their identity; only an anonymous one keeps an id in the browser.
    if (data.visitor_id) storeVisitorId(data.visitor_id);
    const appearance = data.appearance || {};
    applyAppearance(appearance);
    if (redraw) {
      renderHistory(data.messages || [], appearance.greeting);
      showStatus("");
    }
    setComposerEnabled(true);
    tellPage({ type: "conduit:ready", appearance, agent: data.agent ? { name: data.agent.name } : null });
    return true;
  }

  /** Draws the look the preview page passed on, as a session would, and tells the loader to draw its part. */
  function showPreview({ appearance, agent }) {
    parentOrigin = location.origin;
    const look = appearance && typeof appearance === "object" ? appearance : {};
    applyAppearance(look);
    renderHistory(PREVIEW_MESSAGES, typeof look.greeting === "string" ? look.greeting : "");
    setComposerEnabled(true);
    tellPage({ type: "conduit:ready", appearance: look, agent: agent && typeof agent.name === "string" ? { name: agent.name } : null });
  }

  // ---- Chat --------------------------------------------------------------------------------------

  function postChat(message) {
    return fetch("/api/embed/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${session.token}` },
      body: JSON.stringify({ message }),
    });
  }

  function toolName(event) {
    return typeof event.tool_name === "string" && event.tool_name ? event.tool_name.replace(/_/g, " ") : "a tool";
  }

  /** Reads the NDJSON reply line by line, writing text into `target` as it arrives; resolves to an error message or "". */
  async function readReply(response, target) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffered = "";
    let problem = "";
    const handle = (line) => {
      if (!line.trim()) return;
      let event;
      try {
        event = JSON.parse(line);
      } catch {
        return;
      }
      if (event.type === "delta" && typeof event.content === "string") {
        target.textContent += event.content;
        list.scrollTop = list.scrollHeight;
      } else if (event.type === "tool-call") {
        clearTimeout(toolNoticeTimer);
        showStatus(`Using ${toolName(event)}…`, "info");
      } else if (event.type === "tool-result") {
        // Long enough to notice, short enough not to linger.
        toolNoticeTimer = setTimeout(() => showStatus(""), TOOL_NOTICE_MS);
      } else if (event.type === "done") {
        const final = event.message && typeof event.message.content === "string" ? event.message.content : "";
        if (final) target.textContent = final;
      } else if (event.type === "error") {
        problem = (event.error && event.error.message) || "The reply could not be completed.";
      }
    };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      const lines = buffered.split("\n");
      buffered = lines.pop();
      lines.forEach(handle);
    }
    handle(buffered + decoder.decode());
    return problem;
  }

  /** Takes back a message the server did not accept, so the visitor can send it again as typed. */
  function withdraw(sent, text) {
    sent.parentElement.remove();
    if (!input.value) input.value = text;
  }

  async function send(text) {
    sending = true;
    sendButton.disabled = true;
    showStatus("");
    const sent = appendMessage("user", text);
    list.setAttribute("aria-busy", "true");
    try {
      if (!session || Date.now() > session.expiresAt - TOKEN_REFRESH_MARGIN_MS) {
        if (!(await startSession({ redraw: false }))) return;
      }
      let response = await postChat(text);
      // An expired or rejected token: one new session, one retry.
      if (response.status === 401) {
        if (!(await startSession({ redraw: false }))) return;
        response = await postChat(text);
      }
      if (response.status === 429) {
        withdraw(sent, text);
        showStatus(`Too many messages — try again in ${formatWait(retryAfterSeconds(response))}.`, "error");
        return;
      }
      if (response.status === 401) {
        session = null;
        showStatus("This chat is not available here.", "error");
        tellPage({ type: "conduit:unavailable", code: await errorCode(response) });
        return;
      }
      if (!response.ok || !response.body) {
        withdraw(sent, text);
        showStatus("Sorry, the message could not be sent. Please try again.", "error");
        return;
      }
      const target = appendMessage("assistant", "");
      const problem = await readReply(response, target);
      clearTimeout(toolNoticeTimer);
      showStatus(problem ? `Sorry — ${problem}` : "", problem ? "error" : "info");
      if (target.textContent) announcer.textContent = target.textContent;
      else target.parentElement.remove();
    } catch {
      showStatus("The connection was lost. Please try again.", "error");
    } finally {
      sending = false;
      list.removeAttribute("aria-busy");
      if (session) setComposerEnabled(true);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || sending || preview) return;
    input.value = "";
    send(text);
  });

  // Enter sends; Shift+Enter (and Enter while composing with an input method) adds a line.
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  /** Starts the first session, once. */
  function begin() {
    if (started) return;
    started = true;
    startSession();
  }

  /*
   * Embedded, the first session waits for the loader's first message: it brings the page's origin
   * where the browser does not tell, the visitor id the page keeps, and the identity the page
   * passed with Conduit("identify") before the chat loaded.
   */
  if (!preview && !embedded) begin();
})();
