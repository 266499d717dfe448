/**
 * The dashboard's widget key forms map their flat fields (origins one a line, a checkbox, a
 * number typed as text) onto the widget API's request bodies, report refused origins on their
 * field with the server's own reason, and build the snippets a website pastes.
 */
import { describe, expect, it } from "vitest";
import { CreateWidgetKeyForm, UpdateWidgetKeyForm } from "@/app/dashboard/agents/[id]/deployments/widget-schemas";
import { fieldErrorsOf } from "@/lib/forms";
import { CreateWidgetKeyRequest, UpdateWidgetKeyRequest } from "@/lib/widget";
import { widgetCspDirectives, widgetScriptTag } from "@/lib/widget/snippet";

const AGENT = "7576b7ff-1afe-4d30-9416-baa788bc6519";

function errorsOf(result: { success: boolean; error?: Parameters<typeof fieldErrorsOf>[0] }) {
  expect(result.success).toBe(false);
  return fieldErrorsOf(result.error!);
}

describe("creating a widget key", () => {
  it("sends the origins normalised and deduplicated, the appearance and the cap as the API takes them", () => {
    const parsed = CreateWidgetKeyForm.parse({
      agent_id: AGENT,
      name: "  Shop ",
      allowed_origins: "https://WWW.Example.com:443/\r\n\n  http://localhost:3000 \nhttps://www.example.com",
      color: "#112233",
      position: "left",
      greeting: " Hello there ",
      placeholder: "Ask away",
      branding: "on",
      daily_message_cap: "250",
    });
    expect(parsed).toEqual({
      agent_id: AGENT,
      name: "Shop",
      allowed_origins: ["https://www.example.com", "http://localhost:3000"],
      appearance: { color: "#112233", position: "left", greeting: "Hello there", placeholder: "Ask away", branding: true },
      daily_message_cap: 250,
    });
    expect(CreateWidgetKeyRequest.safeParse(parsed).success).toBe(true);
  });

  it("leaves empty fields out, so the defaults apply, and reads an unticked checkbox as branding off", () => {
    const parsed = CreateWidgetKeyForm.parse({ agent_id: AGENT, name: "", allowed_origins: "https://a.example", greeting: "  " });
    expect(parsed).toEqual({ agent_id: AGENT, allowed_origins: ["https://a.example"], appearance: { branding: false } });
  });

  it("reports a refused origin on the origins field with the normalisation's reason", () => {
    const errors = errorsOf(CreateWidgetKeyForm.safeParse({ agent_id: AGENT, allowed_origins: "https://ok.example\nhttp://example.com" }));
    expect(errors.allowed_origins).toBe('Origin "http://example.com" must use https (http only for localhost)');
    const withPath = errorsOf(CreateWidgetKeyForm.safeParse({ agent_id: AGENT, allowed_origins: "https://example.com/shop" }));
    expect(withPath.allowed_origins).toContain("without a path");
  });

  it("asks for at least one origin, a whole-number cap and a hex colour", () => {
    const errors = errorsOf(
      CreateWidgetKeyForm.safeParse({ agent_id: AGENT, allowed_origins: " \n ", daily_message_cap: "ten", color: "red" }),
    );
    expect(errors.allowed_origins).toBe("Add at least one origin, like https://www.example.com");
    expect(errors.daily_message_cap).toBe("A whole number of messages a day");
    const colour = errorsOf(CreateWidgetKeyForm.safeParse({ agent_id: AGENT, allowed_origins: "https://a.example", color: "red" }));
    expect(colour["appearance.color"]).toBe("color is a hex colour like #4f46e5");
    const zeroCap = errorsOf(
      CreateWidgetKeyForm.safeParse({ agent_id: AGENT, allowed_origins: "https://a.example", daily_message_cap: "0" }),
    );
    expect(zeroCap.daily_message_cap).toBeDefined();
  });
});

describe("changing a widget key", () => {
  it("sends only what is filled in, and keeps the origins when their box is left empty", () => {
    const parsed = UpdateWidgetKeyForm.parse({ id: "wk_123", allowed_origins: "", greeting: "Welcome back", position: "right" });
    expect(parsed).toEqual({ id: "wk_123", appearance: { greeting: "Welcome back", position: "right", branding: false } });
    const { id, ...body } = parsed;
    expect(id).toBe("wk_123");
    expect(UpdateWidgetKeyRequest.safeParse(body).success).toBe(true);
  });

  it("refuses an unknown position and a bad origin on their fields", () => {
    const errors = errorsOf(UpdateWidgetKeyForm.safeParse({ id: "wk_123", position: "top" }));
    expect(errors["appearance.position"]).toBeDefined();
    const origins = errorsOf(UpdateWidgetKeyForm.safeParse({ id: "wk_123", allowed_origins: "ftp://files.example" }));
    expect(origins.allowed_origins).toContain("must use https");
  });
});

describe("the launcher's icon and text", () => {
  it("sends the chosen icon and the text trimmed; an emptied text is sent, so the launcher turns round again", () => {
    const created = CreateWidgetKeyForm.parse({
      agent_id: AGENT,
      allowed_origins: "https://a.example",
      launcher_icon: "help",
      launcher_label: "  Questions? ",
    });
    expect(created.appearance).toEqual({ launcher_icon: "help", launcher_label: "Questions?", branding: false });
    const cleared = UpdateWidgetKeyForm.parse({ id: "wk_123", launcher_icon: "sparkles", launcher_label: "   " });
    expect(cleared.appearance).toEqual({ launcher_icon: "sparkles", launcher_label: "", branding: false });
    const { id, ...body } = cleared;
    expect(id).toBe("wk_123");
    expect(UpdateWidgetKeyRequest.safeParse(body).success).toBe(true);
  });

  it("refuses an icon that is not built in, and text too long for the launcher, on their fields", () => {
    const icon = errorsOf(UpdateWidgetKeyForm.safeParse({ id: "wk_123", launcher_icon: "rocket" }));
    expect(icon["appearance.launcher_icon"]).toBeDefined();
    const label = errorsOf(
      CreateWidgetKeyForm.safeParse({ agent_id: AGENT, allowed_origins: "https://a.example", launcher_label: "x".repeat(41) }),
    );
    expect(label["appearance.launcher_label"]).toBeDefined();
  });
});

describe("the embed snippets", () => {
  it("load the widget from the public URL with the key, and allow its origin in a strict CSP", () => {
    expect(widgetScriptTag("https://conduit.example.com/", "pk_abc")).toBe(
      '<script src="https://conduit.example.com/widget.js" data-key="pk_abc" async></script>',
    );
    expect(widgetCspDirectives("https://conduit.example.com:8443/base")).toBe(
      "script-src https://conduit.example.com:8443; frame-src https://conduit.example.com:8443",
    );
  });
});
