/**
 * The dashboard's channel forms map their flat fields onto the channels API's request bodies, and
 * report the API schema's refusals under the fields that caused them.
 */
import { describe, expect, it } from "vitest";
import { ChannelEnabledForm, ConnectChannelForm, ReplaceCredentialsForm } from "@/app/dashboard/agents/[id]/deployments/channel-schemas";
import { MemberReplyForm, TakeOverForm } from "@/app/dashboard/conversations/[id]/schemas";
import { doorLabel } from "@/app/dashboard/conversations/format";
import { CreateChannelRequest, UpdateChannelRequest } from "@/lib/channels/schemas";
import { fieldErrorsOf } from "@/lib/forms";

const AGENT = "7576b7ff-1afe-4d30-9416-baa788bc6519";
const SID = `AC${"0123456789abcdef".repeat(2)}`;

function errorsOf(result: { success: boolean; error?: Parameters<typeof fieldErrorsOf>[0] }) {
  expect(result.success).toBe(false);
  return fieldErrorsOf(result.error!);
}

describe("connecting a channel", () => {
  it("sends a Meta channel's three credentials, trimmed, and leaves other types' fields out", () => {
    const parsed = ConnectChannelForm.parse({
      agent_id: AGENT,
      type: "instagram",
      name: "  Shop DMs ",
      app_secret: " secret ",
      verify_token: "token",
      access_token: "IGQV",
      account_sid: "left over from another type",
      from_address: "ignored@example.com",
    });
    expect(parsed).toEqual({
      agent_id: AGENT,
      type: "instagram",
      name: "Shop DMs",
      credentials: { app_secret: "secret", verify_token: "token", access_token: "IGQV" },
    });
    expect(CreateChannelRequest.safeParse(parsed).success).toBe(true);
  });

  it("leaves an empty name out, so the API names the connection after its type", () => {
    const parsed = ConnectChannelForm.parse({ agent_id: AGENT, type: "twilio", name: "", account_sid: SID, auth_token: "t" });
    expect(parsed).toEqual({ agent_id: AGENT, type: "twilio", credentials: { account_sid: SID, auth_token: "t" } });
  });

  it("asks an email connection only where replies come from: the inbox secret is generated", () => {
    const parsed = ConnectChannelForm.parse({ agent_id: AGENT, type: "email", from_address: "help@shop.example", from_name: "" });
    expect(parsed).toEqual({ agent_id: AGENT, type: "email", settings: { from_address: "help@shop.example" } });
  });

  it("reports each refusal under the field that caused it", () => {
    expect(errorsOf(ConnectChannelForm.safeParse({ agent_id: AGENT, type: "whatsapp", app_secret: "", verify_token: "v" }))).toEqual({
      "credentials.app_secret": "app_secret must not be empty",
      "credentials.access_token": "access_token is required",
    });
    expect(errorsOf(ConnectChannelForm.safeParse({ agent_id: AGENT, type: "twilio", account_sid: "AC12", auth_token: "t" }))).toEqual({
      "credentials.account_sid": "account_sid looks like AC followed by 32 hex digits",
    });
    expect(errorsOf(ConnectChannelForm.safeParse({ agent_id: AGENT, type: "email", from_address: "help" }))).toEqual({
      "settings.from_address": "from_address must be an email address",
    });
    expect(Object.keys(errorsOf(ConnectChannelForm.safeParse({ agent_id: AGENT, type: "fax" })))).toEqual(["type"]);
  });
});

describe("replacing credentials", () => {
  it("sends only the fields filled in: an empty one keeps its current value", () => {
    const parsed = ReplaceCredentialsForm.parse({ id: "chn_a", type: "messenger", app_secret: "", verify_token: "new", access_token: "" });
    expect(parsed).toEqual({ id: "chn_a", credentials: { verify_token: "new" } });
    expect(UpdateChannelRequest.safeParse({ credentials: parsed.credentials }).success).toBe(true);
  });

  it("changes an email connection's reply address without touching its inbox secret", () => {
    const parsed = ReplaceCredentialsForm.parse({ id: "chn_b", type: "email", inbox_secret: "", from_address: "desk@shop.example" });
    expect(parsed).toEqual({ id: "chn_b", settings: { from_address: "desk@shop.example" } });
  });

  it("checks each new value like the API would, and refuses a form with nothing to replace", () => {
    expect(errorsOf(ReplaceCredentialsForm.safeParse({ id: "chn_b", type: "email", inbox_secret: "short" }))).toEqual({
      "credentials.inbox_secret": "inbox_secret must be at least 24 characters",
    });
    expect(errorsOf(ReplaceCredentialsForm.safeParse({ id: "chn_c", type: "twilio", account_sid: "", auth_token: "" }))).toEqual({
      form: "Fill in at least one field: empty fields keep their current value",
    });
  });
});

describe("the other channel forms", () => {
  it("turn their string fields into the values the services take", () => {
    expect(ChannelEnabledForm.parse({ id: "chn_a", enabled: "false" })).toEqual({ id: "chn_a", enabled: false });
    expect(TakeOverForm.parse({ conversation_id: AGENT, take_over: "true" })).toEqual({ conversation_id: AGENT, take_over: true });
    expect(MemberReplyForm.parse({ conversation_id: AGENT, text: "  Hello  " })).toEqual({ conversation_id: AGENT, text: "Hello" });
    expect(errorsOf(MemberReplyForm.safeParse({ conversation_id: AGENT, text: "   " }))).toEqual({ text: "Write a reply" });
  });

  it("name channel doors after their products, and leave the API's doors as they are", () => {
    expect(["whatsapp", "messenger", "instagram", "twilio", "email", "v1_chat"].map(doorLabel)).toEqual([
      "WhatsApp",
      "Messenger",
      "Instagram",
      "Twilio SMS/WhatsApp",
      "Email",
      "v1_chat",
    ]);
  });
});
