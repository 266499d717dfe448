/**
 * What the channel connections API (and the dashboard's channel forms) accept. Zod only, so the
 * browser can check a form with the same schema the server parses it with.
 */
import { z } from "zod";
import { META_CHANNELS, isMetaChannel, type ChannelType } from "./types";

const secret = (name: string) =>
  z
    .string({ error: `${name} is required` })
    .trim()
    .min(1, `${name} must not be empty`)
    .max(2_000);

/** What each channel needs to check the vendor's callbacks and to send replies. */
export const credentialSchemas = {
  meta: z.strictObject({
    app_secret: secret("app_secret").meta({ description: "The Meta app's secret: checks X-Hub-Signature-256" }),
    verify_token: secret("verify_token").meta({ description: "Any string you choose; enter the same in the Meta app's webhook settings" }),
    access_token: secret("access_token").meta({ description: "A token that may send messages (system user, page or Instagram token)" }),
  }),
  twilio: z.strictObject({
    account_sid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, "account_sid looks like AC followed by 32 hex digits"),
    auth_token: secret("auth_token").meta({ description: "Checks X-Twilio-Signature and sends replies" }),
  }),
  email: z.strictObject({
    inbox_secret: z
      .string()
      .min(24, "inbox_secret must be at least 24 characters")
      .max(200)
      .regex(/^[A-Za-z0-9_-]+$/, "inbox_secret may hold letters, digits, - and _")
      .optional()
      .meta({ description: "Authenticates inbound mail posts; generated (and shown once) when left out" }),
  }),
};
export type CredentialKind = keyof typeof credentialSchemas;

export const credentialKindOf = (type: ChannelType): CredentialKind =>
  isMetaChannel(type) ? "meta" : type === "twilio" ? "twilio" : "email";

/** The decrypted credentials of a connection, by kind. */
export type MetaCredentials = z.output<(typeof credentialSchemas)["meta"]>;
export type TwilioCredentials = z.output<(typeof credentialSchemas)["twilio"]>;
export type EmailCredentials = { inbox_secret: string };

export const emailSettings = z.strictObject({
  from_address: z.email("from_address must be an email address").meta({ description: "The address replies are sent from" }),
  from_name: z.string().trim().min(1).max(200).optional().meta({ description: "The name replies are sent under" }),
});

const name = z.string().trim().min(1, "name must not be empty").max(200);
const payingKey = z.string().min(1).max(100).nullable().optional().meta({
  description:
    "An API key (`key_…`) of the organisation whose budget pays for the channel's runs (its expiry and revocation apply too); null or absent: the organisation's plan limits alone",
});
const common = {
  agent_id: z.string().min(1).max(100).meta({ description: "The agent that answers (`agt_…` or its UUID)" }),
  name: name.optional().meta({ description: "Defaults to the channel type" }),
  enabled: z.boolean().optional().meta({ description: "Default true; a disabled connection answers its callbacks 404" }),
  api_key_id: payingKey,
};

export const CreateChannelRequest = z.discriminatedUnion("type", [
  z.strictObject({ type: z.enum(META_CHANNELS), ...common, credentials: credentialSchemas.meta }),
  z.strictObject({ type: z.literal("twilio"), ...common, credentials: credentialSchemas.twilio }),
  z.strictObject({ type: z.literal("email"), ...common, credentials: credentialSchemas.email.optional(), settings: emailSettings }),
]);
export type CreateChannelRequest = z.output<typeof CreateChannelRequest>;

export const UpdateChannelRequest = z.strictObject({
  name: name.optional(),
  enabled: z.boolean().optional(),
  api_key_id: payingKey,
  credentials: z
    .record(z.string(), z.string().max(2_000))
    .optional()
    .meta({ description: "Replaces the named credentials only; the others are kept" }),
  settings: z.record(z.string(), z.string().max(500)).optional().meta({ description: "Email: from_address, from_name" }),
});
export type UpdateChannelRequest = z.output<typeof UpdateChannelRequest>;

export const ListChannelsQuery = z.strictObject({
  agent_id: z.string().min(1).max(100).optional(),
});
