/**
 * Meta's webhook formats and Graph API replies for WhatsApp, Messenger and Instagram: signature and
 * handshake checks, reading the documented delivery shapes into turns, and sending replies to a
 * loopback stand-in for the Graph APIs.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerMetaHandshake, META_MAX_TEXT, parseMetaWebhook, sendMetaReply, verifyMetaSignature } from "@/lib/channels/meta";
import { ChannelSendError, type InboundMessage, type MetaChannel, type OutgoingReply } from "@/lib/channels/types";
import { ApiError } from "@/lib/errors";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver";

// ---------------------------------------------------------------------------------------------
// Fixtures, in the shapes Meta documents

const WABA_ID = "102290129340398";
const PHONE_NUMBER_ID = "106540352242922";
const PAGE_ID = "104738522329101";
const PSID = "6789012345678901";
const IG_ACCOUNT_ID = "17841405822304914";
const IGSID = "1254459154682919";

const whatsappDelivery = (...changes: unknown[][]) => ({
  object: "whatsapp_business_account",
  entry: changes.map((entryChanges, index) => ({ id: `${WABA_ID}${index}`, changes: entryChanges })),
});

const whatsappChange = (value: Record<string, unknown>, phoneNumberId = PHONE_NUMBER_ID) => ({
  value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550783881", phone_number_id: phoneNumberId }, ...value },
  field: "messages",
});

const contact = (waId: string, name: string) => ({ profile: { name }, wa_id: waId });

const whatsappMessage = (fields: Record<string, unknown>) => ({
  from: "16505551234",
  id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
  timestamp: "1749416383",
  ...fields,
});

const whatsappText = (from: string, id: string, body: string, timestamp = "1749416383") =>
  whatsappMessage({ from, id, timestamp, type: "text", text: { body } });

const messagingDelivery = (object: "page" | "instagram", businessId: string, ...messaging: unknown[]) => ({
  object,
  entry: [{ id: businessId, time: 1458692752478, messaging }],
});

const messengerDelivery = (...messaging: unknown[]) => messagingDelivery("page", PAGE_ID, ...messaging);
const instagramDelivery = (...messaging: unknown[]) => messagingDelivery("instagram", IG_ACCOUNT_ID, ...messaging);

/** An event from a person (`sender`) to the business (`recipient`), or the reverse for echoes. */
const messagingEvent = (sender: string, recipient: string, fields: Record<string, unknown>) => ({
  sender: { id: sender },
  recipient: { id: recipient },
  timestamp: 1458692752478,
  ...fields,
});

function turns(channel: MetaChannel, body: unknown): InboundMessage[] {
  return parseMetaWebhook(channel, body);
}

// ---------------------------------------------------------------------------------------------

describe("verifyMetaSignature", () => {
  const APP_SECRET = "0d6f8c1b2a3e4f5061728394a5b6c7d8";
  const sign = (secret: string, bytes: Uint8Array | string) => `sha256=${createHmac("sha256", secret).update(bytes).digest("hex")}`;
  // Meta escapes non-ASCII text in its bodies: the bytes differ from any re-serialisation.
  const rawText =
    '{"object":"page","entry":[{"id":"104738522329101","time":1458692752478,"messaging":[{"message":{"text":"Caf\\u00e9?"}}]}]}';
  const rawBody = new TextEncoder().encode(rawText);

  it("accepts the HMAC-SHA256 of the exact bytes received, keyed with the app secret", () => {
    expect(verifyMetaSignature(APP_SECRET, rawBody, sign(APP_SECRET, rawBody))).toBe(true);
    expect(verifyMetaSignature(APP_SECRET, Buffer.from(rawBody), sign(APP_SECRET, rawBody))).toBe(true);
  });

  it("accepts upper-case hex and surrounding whitespace", () => {
    const header = sign(APP_SECRET, rawBody);
    expect(verifyMetaSignature(APP_SECRET, rawBody, `sha256=${header.slice(7).toUpperCase()}`)).toBe(true);
    expect(verifyMetaSignature(APP_SECRET, rawBody, ` ${header} `)).toBe(true);
  });

  it("refuses the same JSON serialised differently", () => {
    const header = sign(APP_SECRET, rawBody);
    const parsed: unknown = JSON.parse(rawText);
    for (const reserialised of [JSON.stringify(parsed), JSON.stringify(parsed, null, 2), `${rawText}\n`]) {
      expect(reserialised).not.toBe(rawText);
      expect(verifyMetaSignature(APP_SECRET, new TextEncoder().encode(reserialised), header)).toBe(false);
    }
  });

  it("refuses a body changed by one byte", () => {
    const tampered = new TextEncoder().encode(rawText.replace("Caf", "Cab"));
    expect(verifyMetaSignature(APP_SECRET, tampered, sign(APP_SECRET, rawBody))).toBe(false);
  });

  it("refuses a signature made with another secret", () => {
    expect(verifyMetaSignature(APP_SECRET, rawBody, sign("another-app-secret", rawBody))).toBe(false);
  });

  it("refuses everything when no app secret is set, even a signature keyed with the empty string", () => {
    expect(verifyMetaSignature("", rawBody, sign("", rawBody))).toBe(false);
  });

  it("refuses malformed headers", () => {
    const hex = sign(APP_SECRET, rawBody).slice("sha256=".length);
    const sha1 = `sha1=${createHmac("sha1", APP_SECRET).update(rawBody).digest("hex")}`;
    for (const header of [
      null,
      "",
      "sha256=",
      hex,
      `sha256 ${hex}`,
      `SHA256=${hex}`,
      sha1,
      `sha256=${hex.slice(1)}`,
      `sha256=${hex}00`,
      `sha256=${"z".repeat(64)}`,
    ]) {
      expect(verifyMetaSignature(APP_SECRET, rawBody, header), String(header)).toBe(false);
    }
  });
});

describe("answerMetaHandshake", () => {
  const VERIFY_TOKEN = "conduit-verify-6b1f0c";
  const query = (params: Record<string, string>) => new URLSearchParams(params);

  it("answers the raw challenge when the mode is subscribe and the token matches", () => {
    const challenge = "1158201444";
    expect(
      answerMetaHandshake(query({ "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": challenge }), VERIFY_TOKEN),
    ).toBe(challenge);
  });

  it("refuses a wrong, partial, longer or missing token", () => {
    for (const token of ["wrong-token", VERIFY_TOKEN.slice(0, -1), `${VERIFY_TOKEN}x`, VERIFY_TOKEN.toUpperCase(), ""]) {
      expect(
        answerMetaHandshake(query({ "hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "42" }), VERIFY_TOKEN),
      ).toBeNull();
    }
    expect(answerMetaHandshake(query({ "hub.mode": "subscribe", "hub.challenge": "42" }), VERIFY_TOKEN)).toBeNull();
  });

  it("refuses another mode, no mode, or no challenge", () => {
    expect(
      answerMetaHandshake(query({ "hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42" }), VERIFY_TOKEN),
    ).toBeNull();
    expect(answerMetaHandshake(query({ "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42" }), VERIFY_TOKEN)).toBeNull();
    expect(answerMetaHandshake(query({ "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN }), VERIFY_TOKEN)).toBeNull();
  });

  it("answers nothing while no verify token is set", () => {
    expect(answerMetaHandshake(query({ "hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "42" }), "")).toBeNull();
  });
});

describe("parseMetaWebhook: WhatsApp", () => {
  it("reads a text message with the sender's profile name and the business phone number id", () => {
    const body = whatsappDelivery([
      whatsappChange({
        contacts: [contact("16505551234", "Sheena Nelson")],
        messages: [
          whatsappText("16505551234", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", "Does it come in another color?"),
        ],
      }),
    ]);
    expect(turns("whatsapp", body)).toEqual([
      {
        vendorMessageId: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
        from: "16505551234",
        name: "Sheena Nelson",
        text: "Does it come in another color?",
        sentAt: new Date(1749416383 * 1000),
        replyContext: { phoneNumberId: PHONE_NUMBER_ID },
      },
    ]);
  });

  it("reads every entry and change of a batched delivery, in order, matching each sender's name by wa_id", () => {
    const body = whatsappDelivery(
      [
        whatsappChange(
          {
            // Contacts in another order than the messages: names must follow wa_id, not position.
            contacts: [contact("447700900002", "Bea"), contact("447700900001", "Ada")],
            messages: [
              whatsappText("447700900001", "wamid.A1", "first", "1749416001"),
              whatsappText("447700900002", "wamid.A2", "second", "1749416002"),
            ],
          },
          "111111111111111",
        ),
        whatsappChange(
          { contacts: [contact("447700900003", "Cy")], messages: [whatsappText("447700900003", "wamid.B1", "third", "1749416003")] },
          "111111111111111",
        ),
      ],
      [
        whatsappChange(
          { statuses: [{ id: "wamid.OUT", status: "read", timestamp: "1749416004", recipient_id: "447700900001" }] },
          "222222222222222",
        ),
        whatsappChange(
          { contacts: [contact("447700900004", "Di")], messages: [whatsappText("447700900004", "wamid.C1", "fourth", "1749416005")] },
          "222222222222222",
        ),
      ],
    );
    const read = turns("whatsapp", body);
    expect(
      read.map(({ vendorMessageId, from, name, text, replyContext }) => ({ vendorMessageId, from, name, text, ...replyContext })),
    ).toEqual([
      { vendorMessageId: "wamid.A1", from: "447700900001", name: "Ada", text: "first", phoneNumberId: "111111111111111" },
      { vendorMessageId: "wamid.A2", from: "447700900002", name: "Bea", text: "second", phoneNumberId: "111111111111111" },
      { vendorMessageId: "wamid.B1", from: "447700900003", name: "Cy", text: "third", phoneNumberId: "111111111111111" },
      { vendorMessageId: "wamid.C1", from: "447700900004", name: "Di", text: "fourth", phoneNumberId: "222222222222222" },
    ]);
    expect(read.map((turn) => turn.sentAt.getTime() / 1000)).toEqual([1749416001, 1749416002, 1749416003, 1749416005]);
  });

  it("yields nothing for delivery and read statuses", () => {
    const body = whatsappDelivery([
      whatsappChange({
        statuses: [
          {
            id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MjZBRjk5NEFBMkVDMEU0NjMA",
            status: "delivered",
            timestamp: "1750263773",
            recipient_id: "16505551234",
            conversation: { id: "6ceb9d929c1d4e3d3c0c5fc8a1e3b4c9", origin: { type: "service" } },
            pricing: { billable: true, pricing_model: "PMP", category: "service" },
          },
          {
            id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MjZBRjk5NEFBMkVDMEU0NjMA",
            status: "read",
            timestamp: "1750263800",
            recipient_id: "16505551234",
          },
        ],
      }),
    ]);
    expect(turns("whatsapp", body)).toEqual([]);
  });

  it("yields nothing for a reaction, an unsupported message or a system message", () => {
    const body = whatsappDelivery([
      whatsappChange({
        contacts: [contact("16505551234", "Sheena Nelson")],
        messages: [
          whatsappMessage({ id: "wamid.R", type: "reaction", reaction: { message_id: "wamid.OUT", emoji: "\u{1F44D}" } }),
          whatsappMessage({ id: "wamid.U", type: "unsupported", errors: [{ code: 131051, title: "Message type unknown" }] }),
          whatsappMessage({
            id: "wamid.S",
            type: "system",
            system: { body: "User changed number", wa_id: "16505559999", type: "user_changed_number" },
          }),
        ],
      }),
    ]);
    expect(turns("whatsapp", body)).toEqual([]);
  });

  it("turns an image into a note saying it cannot be read, keeping its caption", () => {
    const image = (id: string, caption?: string) =>
      whatsappMessage({
        id,
        type: "image",
        image: { caption, mime_type: "image/jpeg", sha256: "J3lfjMbq6bGaMmVDL2EQJfg1y9HYjC1PNn97ZbiRFmw=", id: "1003383421387256" },
      });
    const body = whatsappDelivery([
      whatsappChange({
        contacts: [contact("16505551234", "Sheena Nelson")],
        messages: [image("wamid.I1", "Is this the right part?"), image("wamid.I2")],
      }),
    ]);
    expect(turns("whatsapp", body).map(({ vendorMessageId, text }) => ({ vendorMessageId, text }))).toEqual([
      { vendorMessageId: "wamid.I1", text: "Is this the right part?\n[sent an image, which cannot be read here]" },
      { vendorMessageId: "wamid.I2", text: "[sent an image, which cannot be read here]" },
    ]);
  });

  it("reads a reply button's and a list row's title as the person's words", () => {
    const body = whatsappDelivery([
      whatsappChange({
        messages: [
          whatsappMessage({
            id: "wamid.B",
            type: "interactive",
            interactive: { type: "button_reply", button_reply: { id: "yes", title: "Yes, book it" } },
          }),
          whatsappMessage({
            id: "wamid.L",
            type: "interactive",
            interactive: { type: "list_reply", list_reply: { id: "s", title: "Small", description: "30 cm" } },
          }),
          whatsappMessage({ id: "wamid.T", type: "button", button: { payload: "STOP", text: "Stop promotions" } }),
        ],
      }),
    ]);
    expect(turns("whatsapp", body).map((turn) => turn.text)).toEqual(["Yes, book it", "Small", "Stop promotions"]);
  });

  it("identifies a sender without a phone number by business-scoped user id", () => {
    const body = whatsappDelivery([
      whatsappChange({
        contacts: [{ profile: { name: "Rui", username: "@rui" }, user_id: "BR.1502576394655843" }],
        messages: [
          { from_user_id: "BR.1502576394655843", id: "wamid.BSUID", timestamp: "1779372805", type: "text", text: { body: "Olá" } },
        ],
      }),
    ]);
    expect(turns("whatsapp", body)).toMatchObject([{ from: "BR.1502576394655843", name: "Rui", text: "Olá" }]);
  });

  it("leaves out group messages and items it cannot read, keeping the rest of the batch", () => {
    const body = whatsappDelivery([
      whatsappChange({
        messages: [
          { ...whatsappText("16505551234", "wamid.G", "hello group"), group_id: "120363025246125486" },
          { from: "16505551234", timestamp: "1749416383", type: "text", text: { body: "no id" } },
          whatsappText("16505551234", "wamid.BADTIME", "bad time", "yesterday"),
          whatsappText("16505551234", "wamid.OK", "still here"),
        ],
      }),
      { field: "messages", value: { messages: [whatsappText("16505551234", "wamid.NOMETA", "no metadata")] } },
      { field: "message_template_status_update", value: { event: "APPROVED", message_template_id: 123 } },
    ]);
    const read = turns("whatsapp", body);
    expect(read.map((turn) => turn.vendorMessageId)).toEqual(["wamid.OK"]);
    expect(read[0]?.name).toBeNull();
  });
});

describe("parseMetaWebhook: Messenger", () => {
  it("reads a text message with the PSID and the page id", () => {
    const body = messengerDelivery(
      messagingEvent(PSID, PAGE_ID, {
        message: { mid: "m_1457764197618:41d102a3e1ae206a38", text: "hello, world!", quick_reply: { payload: "DEVELOPER_DEFINED" } },
      }),
    );
    expect(turns("messenger", body)).toEqual([
      {
        vendorMessageId: "m_1457764197618:41d102a3e1ae206a38",
        from: PSID,
        name: null,
        text: "hello, world!",
        sentAt: new Date(1458692752478),
        replyContext: { pageId: PAGE_ID },
      },
    ]);
  });

  it("yields nothing for echoes, deliveries, reads and reactions", () => {
    const body = messengerDelivery(
      messagingEvent(PAGE_ID, PSID, {
        message: { is_echo: true, app_id: 1517776481860111, metadata: "DEVELOPER_DEFINED", mid: "m_echo", text: "Our reply" },
      }),
      {
        sender: { id: PSID },
        recipient: { id: PAGE_ID },
        delivery: { mids: ["m_1458668856218:ed81099e15d3f4f233"], watermark: 1458668856253 },
      },
      messagingEvent(PSID, PAGE_ID, { read: { watermark: 1458668856253 } }),
      messagingEvent(PSID, PAGE_ID, { reaction: { mid: "m_echo", action: "react", emoji: "\u2764", reaction: "love" } }),
    );
    expect(turns("messenger", body)).toEqual([]);
  });

  it("reads every entry and messaging item of a batch", () => {
    const body = {
      object: "page",
      entry: [
        {
          id: PAGE_ID,
          time: 1,
          messaging: [
            messagingEvent("111", PAGE_ID, { message: { mid: "m_1", text: "one" } }),
            messagingEvent("222", PAGE_ID, { message: { mid: "m_2", text: "two" } }),
          ],
        },
        { id: "999999999", time: 2, messaging: [messagingEvent("333", "999999999", { message: { mid: "m_3", text: "three" } })] },
      ],
    };
    expect(turns("messenger", body).map(({ from, text, replyContext }) => ({ from, text, ...replyContext }))).toEqual([
      { from: "111", text: "one", pageId: PAGE_ID },
      { from: "222", text: "two", pageId: PAGE_ID },
      { from: "333", text: "three", pageId: "999999999" },
    ]);
  });

  it("reads a postback's title as the person's turn", () => {
    const body = messengerDelivery(
      messagingEvent(PSID, PAGE_ID, { postback: { mid: "m_postback", title: "Get Started", payload: "GET_STARTED" } }),
      messagingEvent(PSID, PAGE_ID, { timestamp: 1458692760000, postback: { title: "Opening hours", payload: "HOURS" } }),
      messagingEvent(PSID, PAGE_ID, { postback: { mid: "m_untitled", payload: "NO_TITLE" } }),
    );
    expect(turns("messenger", body).map(({ vendorMessageId, text }) => ({ vendorMessageId, text }))).toEqual([
      { vendorMessageId: "m_postback", text: "Get Started" },
      // Without a mid, the id is stable across repeated deliveries of the same tap.
      { vendorMessageId: `postback:${PSID}:1458692760000`, text: "Opening hours" },
    ]);
  });

  it("turns an attachment without text into a note saying what was sent", () => {
    const body = messengerDelivery(
      messagingEvent(PSID, PAGE_ID, {
        message: { mid: "m_img", attachments: [{ type: "image", payload: { url: "https://scontent.example/photo.jpg" } }] },
      }),
      messagingEvent(PSID, PAGE_ID, {
        message: { mid: "m_link", text: "look at this", attachments: [{ type: "fallback", payload: { url: "https://example.com" } }] },
      }),
    );
    expect(turns("messenger", body).map((turn) => turn.text)).toEqual(["[sent an image, which cannot be read here]", "look at this"]);
  });

  it("takes the page id from the recipient when the entry has none, still leaving out echoes", () => {
    const body = {
      object: "page",
      entry: [
        {
          time: 1,
          messaging: [
            messagingEvent(PSID, PAGE_ID, { message: { mid: "m_1", text: "hi" } }),
            messagingEvent(PAGE_ID, PSID, { message: { mid: "m_echo", text: "Our reply", is_echo: true } }),
          ],
        },
      ],
    };
    expect(turns("messenger", body).map(({ vendorMessageId, replyContext }) => ({ vendorMessageId, ...replyContext }))).toEqual([
      { vendorMessageId: "m_1", pageId: PAGE_ID },
    ]);
  });
});

describe("parseMetaWebhook: Instagram", () => {
  it("reads a text message with the IGSID and the account id", () => {
    const body = instagramDelivery(
      messagingEvent(IGSID, IG_ACCOUNT_ID, {
        timestamp: 1569262485349,
        message: { mid: "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlE", text: "Do you ship to Lisbon?" },
      }),
    );
    expect(turns("instagram", body)).toEqual([
      {
        vendorMessageId: "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlE",
        from: IGSID,
        name: null,
        text: "Do you ship to Lisbon?",
        sentAt: new Date(1569262485349),
        replyContext: { accountId: IG_ACCOUNT_ID },
      },
    ]);
  });

  it("yields nothing for echoes, also those that come without the flag, deleted or unsupported messages, and reads", () => {
    const body = instagramDelivery(
      messagingEvent(IG_ACCOUNT_ID, IGSID, { message: { mid: "ig_echo", text: "Yes, we do", is_echo: true } }),
      messagingEvent(IG_ACCOUNT_ID, IGSID, { message: { mid: "ig_echo_unflagged", text: "Yes, we do" } }),
      messagingEvent(IGSID, IG_ACCOUNT_ID, { message: { mid: "ig_deleted", is_deleted: true } }),
      messagingEvent(IGSID, IG_ACCOUNT_ID, {
        message: {
          mid: "ig_gif",
          is_unsupported: true,
          attachments: [{ type: "image", payload: { url: "https://lookaside.example/gif" } }],
        },
      }),
      messagingEvent(IGSID, IG_ACCOUNT_ID, { read: { mid: "ig_echo" } }),
    );
    expect(turns("instagram", body)).toEqual([]);
  });

  it("notes a shared post and a story mention", () => {
    const body = instagramDelivery(
      messagingEvent(IGSID, IG_ACCOUNT_ID, {
        message: { mid: "ig_share", attachments: [{ type: "share", payload: { url: "https://lookaside.example/share" } }] },
      }),
      messagingEvent(IGSID, IG_ACCOUNT_ID, {
        message: { mid: "ig_story", attachments: [{ type: "story_mention", payload: { url: "https://lookaside.example/story" } }] },
      }),
    );
    expect(turns("instagram", body).map((turn) => turn.text)).toEqual([
      "[sent a shared post, which cannot be read here]",
      "[sent a story mention, which cannot be read here]",
    ]);
  });
});

describe("parseMetaWebhook: envelopes", () => {
  const whatsappBody = whatsappDelivery([whatsappChange({ messages: [whatsappText("16505551234", "wamid.X", "hi")] })]);
  const messengerBody = messengerDelivery(messagingEvent(PSID, PAGE_ID, { message: { mid: "m_1", text: "hi" } }));
  const instagramBody = instagramDelivery(messagingEvent(IGSID, IG_ACCOUNT_ID, { message: { mid: "ig_1", text: "hi" } }));

  it("yields turns only from deliveries for the connection's own product", () => {
    expect(turns("whatsapp", whatsappBody)).toHaveLength(1);
    expect(turns("messenger", messengerBody)).toHaveLength(1);
    expect(turns("instagram", instagramBody)).toHaveLength(1);
    expect(turns("messenger", whatsappBody)).toEqual([]);
    expect(turns("instagram", messengerBody)).toEqual([]);
    expect(turns("messenger", instagramBody)).toEqual([]);
    expect(turns("whatsapp", instagramBody)).toEqual([]);
    expect(turns("whatsapp", { object: "permissions", entry: [{ id: "1", changes: [] }] })).toEqual([]);
  });

  it("refuses bodies that are not Meta deliveries with VALIDATION_FAILED", () => {
    for (const body of [
      null,
      undefined,
      "hello",
      42,
      [],
      {},
      { entry: [] },
      { object: "page" },
      { object: "page", entry: {} },
      { object: 7, entry: [] },
    ]) {
      let caught: unknown;
      try {
        parseMetaWebhook("messenger", body);
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(body) ?? "undefined").toBeInstanceOf(ApiError);
      expect((caught as ApiError).code).toBe("VALIDATION_FAILED");
      expect((caught as ApiError).status).toBe(400);
    }
  });

  it("yields nothing for entries and items of unknown shapes", () => {
    expect(
      turns("messenger", {
        object: "page",
        entry: [null, "x", { id: PAGE_ID, messaging: "x" }, { id: PAGE_ID, messaging: [null, { sender: {} }] }],
      }),
    ).toEqual([]);
    expect(
      turns("whatsapp", {
        object: "whatsapp_business_account",
        entry: [{ id: WABA_ID }, { id: WABA_ID, changes: [null, { field: "messages" }] }],
      }),
    ).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("sendMetaReply", () => {
  const GRAPH_VERSION = "v23.0";
  const ACCESS_TOKEN = "EAAGm0PX4ZCpsBAKZCtestTOKEN0123456789";
  const SEND_TIMEOUT_MS = 1_000;
  const credentials = { accessToken: ACCESS_TOKEN };
  const settings = ["META_GRAPH_URL", "META_GRAPH_VERSION", "INSTAGRAM_GRAPH_URL", "CHANNEL_SEND_TIMEOUT_MS"] as const;
  const previous = new Map(settings.map((name) => [name, process.env[name]]));
  let graph: WebhookReceiver;
  let instagram: WebhookReceiver;

  beforeAll(async () => {
    [graph, instagram] = await Promise.all([startWebhookReceiver(), startWebhookReceiver()]);
    // config() reads the environment once, on its first call, which nothing has made before here.
    Object.assign(process.env, {
      META_GRAPH_URL: graph.origin,
      META_GRAPH_VERSION: GRAPH_VERSION,
      INSTAGRAM_GRAPH_URL: `${instagram.origin}/`,
      CHANNEL_SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS),
    });
  });

  afterAll(async () => {
    await Promise.all([graph.close(), instagram.close()]);
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const whatsappReply: OutgoingReply = {
    to: "16505551234",
    text: "Yes: red, blue and green.",
    context: { phoneNumberId: PHONE_NUMBER_ID },
  };
  const messengerReply: OutgoingReply = { to: PSID, text: "We open at nine.", context: { pageId: PAGE_ID } };
  const instagramReply: OutgoingReply = { to: IGSID, text: "Yes, we ship to Lisbon.", context: { accountId: IG_ACCOUNT_ID } };

  /** The request the stand-in received last, with its body parsed. */
  function lastRequest(receiver: WebhookReceiver) {
    const request = receiver.received.at(-1);
    if (!request) throw new Error("no request arrived");
    return { ...request, json: JSON.parse(request.rawBody.toString("utf8")) as unknown };
  }

  async function refusal(channel: MetaChannel, reply: OutgoingReply, accessToken = ACCESS_TOKEN): Promise<ChannelSendError> {
    const outcome = await sendMetaReply(channel, { accessToken }, reply).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(ChannelSendError);
    const error = outcome as ChannelSendError;
    if (accessToken) expect(error.message).not.toContain(accessToken);
    return error;
  }

  const graphError = (code: number, message: string, extra: Record<string, unknown> = {}) => ({
    error: { message, type: "OAuthException", code, fbtrace_id: "AbCdEfGhIjKlMnOp", ...extra },
  });

  it("sends a WhatsApp text to the phone number id's messages edge with a Bearer token", async () => {
    graph.script({
      body: {
        messaging_product: "whatsapp",
        contacts: [{ input: "16505551234", wa_id: "16505551234" }],
        messages: [{ id: "wamid.SENT1" }],
      },
    });
    await expect(sendMetaReply("whatsapp", credentials, whatsappReply)).resolves.toEqual({ vendorMessageId: "wamid.SENT1" });
    const request = lastRequest(graph);
    expect(request.method).toBe("POST");
    expect(request.path).toBe(`/${GRAPH_VERSION}/${PHONE_NUMBER_ID}/messages`);
    expect(request.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.json).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "16505551234",
      type: "text",
      text: { body: "Yes: red, blue and green." },
    });
  });

  it("addresses a WhatsApp user known only by business-scoped user id as the recipient", async () => {
    graph.script({ body: { messaging_product: "whatsapp", messages: [{ id: "wamid.SENT2" }] } });
    await sendMetaReply("whatsapp", credentials, { ...whatsappReply, to: "BR.1502576394655843" });
    expect(lastRequest(graph).json).toMatchObject({ recipient: "BR.1502576394655843", type: "text" });
    expect(lastRequest(graph).json).not.toHaveProperty("to");
  });

  it("sends a Messenger text as a RESPONSE to the page's messages edge", async () => {
    graph.script({ body: { recipient_id: PSID, message_id: "m_SENT3" } });
    await expect(sendMetaReply("messenger", credentials, messengerReply)).resolves.toEqual({ vendorMessageId: "m_SENT3" });
    const request = lastRequest(graph);
    expect(request.path).toBe(`/${GRAPH_VERSION}/${PAGE_ID}/messages`);
    expect(request.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(request.json).toEqual({ recipient: { id: PSID }, messaging_type: "RESPONSE", message: { text: "We open at nine." } });
  });

  it("sends an Instagram text to the Instagram Graph API, not Facebook's", async () => {
    const sentToGraph = graph.received.length;
    instagram.script({ body: { recipient_id: IGSID, message_id: "aWdfSENT4" } });
    await expect(sendMetaReply("instagram", credentials, instagramReply)).resolves.toEqual({ vendorMessageId: "aWdfSENT4" });
    const request = lastRequest(instagram);
    expect(request.path).toBe(`/${GRAPH_VERSION}/${IG_ACCOUNT_ID}/messages`);
    expect(request.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(request.json).toEqual({ recipient: { id: IGSID }, message: { text: "Yes, we ship to Lisbon." } });
    expect(graph.received).toHaveLength(sentToGraph);
  });

  it("keeps the token out of the URL", async () => {
    graph.script({ body: { recipient_id: PSID, message_id: "m_SENT5" } });
    await sendMetaReply("messenger", credentials, messengerReply);
    expect(lastRequest(graph).path).not.toContain(ACCESS_TOKEN);
    expect(lastRequest(graph).path).not.toContain("access_token");
  });

  it("resolves with no id when Meta accepts the reply without one", async () => {
    graph.script({ body: {} });
    await expect(sendMetaReply("messenger", credentials, messengerReply)).resolves.toEqual({ vendorMessageId: null });
  });

  it("gives up at once on a reply outside WhatsApp's 24-hour window (131047), quoting Meta", async () => {
    graph.script({
      status: 400,
      body: graphError(131047, "(#131047) Re-engagement message", {
        error_data: {
          messaging_product: "whatsapp",
          details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        },
      }),
    });
    const error = await refusal("whatsapp", whatsappReply);
    expect(error.retryable).toBe(false);
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.message).toContain("131047");
    expect(error.message).toContain("Re-engagement message");
    expect(error.message).toContain("more than 24 hours have passed");
    expect(error.message).toContain("AbCdEfGhIjKlMnOp");
  });

  it("gives up at once on Messenger's refusals, such as a person who cannot be reached", async () => {
    graph.script({ status: 400, body: graphError(551, "This person isn't available right now.", { error_subcode: 1545041 }) });
    const error = await refusal("messenger", messengerReply);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("551/1545041");
  });

  it("retries after a 500", async () => {
    graph.script({
      status: 500,
      body: graphError(2, "An unexpected error has occurred. Please retry your request later.", { is_transient: true }),
    });
    const error = await refusal("whatsapp", whatsappReply);
    expect(error.retryable).toBe(true);
    graph.script({ status: 503, body: {} });
    expect((await refusal("messenger", messengerReply)).retryable).toBe(true);
  });

  it("gives up on a permission problem even when Meta answers it with a 500", async () => {
    graph.script({ status: 500, body: graphError(3, "(#3) Application does not have the capability to make this API call.") });
    expect((await refusal("whatsapp", whatsappReply)).retryable).toBe(false);
    graph.script({ status: 401, body: graphError(190, "Error validating access token: Session has expired.", { error_subcode: 463 }) });
    expect((await refusal("messenger", messengerReply)).retryable).toBe(false);
  });

  it("retries throttling no sooner than Meta's Retry-After", async () => {
    graph.script({ status: 400, headers: { "retry-after": "7" }, body: graphError(130429, "(#130429) Rate limit hit") });
    const throughput = await refusal("whatsapp", whatsappReply);
    expect(throughput).toMatchObject({ retryable: true, retryAfterMs: 7_000 });
    expect(throughput.message).toContain("130429");

    graph.script({ status: 429, headers: { "retry-after": "2" }, body: {} });
    expect(await refusal("messenger", messengerReply)).toMatchObject({ retryable: true, retryAfterMs: 2_000 });
  });

  it("retries throttling codes without a Retry-After, leaving the delay to the caller", async () => {
    graph.script({ status: 400, body: graphError(131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit") });
    expect(await refusal("whatsapp", whatsappReply)).toMatchObject({ retryable: true, retryAfterMs: undefined });
    graph.script({ status: 400, body: graphError(613, "Calls to this api have exceeded the rate limit.") });
    expect(await refusal("messenger", messengerReply)).toMatchObject({ retryable: true, retryAfterMs: undefined });
    instagram.script({ status: 400, body: graphError(4, "(#4) Application request limit reached") });
    expect(await refusal("instagram", instagramReply)).toMatchObject({ retryable: true });
  });

  it("never repeats the access token, even when Meta's message does", async () => {
    graph.script({ status: 400, body: graphError(190, `Malformed access token ${ACCESS_TOKEN}`) });
    const error = await refusal("messenger", messengerReply);
    expect(error.message).toContain("Malformed access token [access token]");
  });

  it("retries when Meta does not answer in time", async () => {
    graph.script({ hang: true });
    const started = Date.now();
    const error = await refusal("whatsapp", whatsappReply);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`within ${SEND_TIMEOUT_MS} ms`);
    expect(Date.now() - started).toBeLessThan(SEND_TIMEOUT_MS * 5);
  });

  it("refuses, without sending, text longer than the product takes", async () => {
    const sent = graph.received.length + instagram.received.length;
    expect((await refusal("instagram", { ...instagramReply, text: "x".repeat(META_MAX_TEXT.instagram + 1) })).retryable).toBe(false);
    expect((await refusal("messenger", { ...messengerReply, text: "x".repeat(META_MAX_TEXT.messenger + 1) })).retryable).toBe(false);
    expect((await refusal("whatsapp", { ...whatsappReply, text: "" })).retryable).toBe(false);
    expect(graph.received.length + instagram.received.length).toBe(sent);
  });

  it("counts characters, not UTF-16 units, against the limit", async () => {
    instagram.script({ body: { recipient_id: IGSID, message_id: "aWdfEMOJI" } });
    const emoji = "\u{1F600}".repeat(META_MAX_TEXT.instagram);
    await expect(sendMetaReply("instagram", credentials, { ...instagramReply, text: emoji })).resolves.toEqual({
      vendorMessageId: "aWdfEMOJI",
    });
  });

  it("refuses, without sending, a reply whose context lacks the sender id or whose connection lacks a token", async () => {
    const sent = graph.received.length + instagram.received.length;
    expect((await refusal("whatsapp", { ...whatsappReply, context: {} })).message).toContain("phoneNumberId");
    expect((await refusal("messenger", { ...messengerReply, context: { phoneNumberId: PHONE_NUMBER_ID } })).message).toContain("pageId");
    expect((await refusal("instagram", { ...instagramReply, context: {} })).message).toContain("accountId");
    expect((await refusal("messenger", messengerReply, "")).retryable).toBe(false);
    expect(graph.received.length + instagram.received.length).toBe(sent);
  });

  // Last: it closes the Graph stand-in.
  it("retries when Meta cannot be reached", async () => {
    await graph.close();
    const error = await refusal("messenger", messengerReply);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("Could not send the Messenger reply");
  });
});
