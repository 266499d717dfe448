import type { ChannelType } from "./types";

/** How each channel is named to people: in the dashboard's lists, forms and filters. */
export const CHANNEL_LABELS: Record<ChannelType, string> = {
  whatsapp: "WhatsApp",
  messenger: "Messenger",
  instagram: "Instagram",
  twilio: "Twilio SMS/WhatsApp",
  email: "Email",
};

/** The credentials' names as the dashboard shows them (the API names them in snake_case). */
export const CREDENTIAL_LABELS: Record<string, string> = {
  app_secret: "App secret",
  verify_token: "Verify token",
  access_token: "Access token",
  account_sid: "Account SID",
  auth_token: "Auth token",
  inbox_secret: "Inbox secret",
};
