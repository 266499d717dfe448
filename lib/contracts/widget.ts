/** Response bodies of the website widget (`/api/widget-keys…`, `/api/embed/…`). */
import { z } from "zod";
import { timestamp } from "./fields";

const WidgetAppearanceResponse = z.strictObject({
  color: z.string(),
  position: z.enum(["right", "left"]),
  greeting: z.string(),
  placeholder: z.string(),
  branding: z.boolean(),
  launcher_icon: z.enum(["chat", "help", "sparkles", "message"]),
  launcher_label: z.string(),
});

export const WidgetKeyResponse = z.strictObject({
  id: z.string().meta({ description: "The key's id (`wk_…`), for managing it; the key itself (`pk_…`) is shown once, at creation" }),
  name: z.string(),
  agent_id: z.string(),
  start: z.string().meta({ description: "The first characters of the key, to recognise it" }),
  allowed_origins: z.array(z.string()),
  appearance: WidgetAppearanceResponse,
  daily_message_cap: z.number().int(),
  identity_secret_set: z.boolean().meta({
    description:
      "Whether the key has an identity secret to sign visitor identities with; keys made before identities existed get one by rotating it",
  }),
  identity_secret_start: z
    .string()
    .nullable()
    .meta({ description: "The first characters of the identity secret (`wis_…`), to recognise it" }),
  created_at: timestamp,
  revoked_at: timestamp.nullable(),
});
export type WidgetKeyResponse = z.input<typeof WidgetKeyResponse>;

export const WidgetKeyListResponse = z.strictObject({ data: z.array(WidgetKeyResponse) });
export type WidgetKeyListResponse = z.input<typeof WidgetKeyListResponse>;

const identitySecret = z.string().meta({
  description: "The identity secret (`wis_…`) your backend signs visitor identity tokens with (HS256); stored encrypted, shown only here",
});

export const CreateWidgetKeyResponse = WidgetKeyResponse.extend({
  key: z.string().meta({ description: "The publishable key (`pk_…`) for the script tag; stored hashed, shown only here" }),
  identity_secret: identitySecret,
});
export type CreateWidgetKeyResponse = z.input<typeof CreateWidgetKeyResponse>;

export const RotateWidgetIdentitySecretResponse = WidgetKeyResponse.extend({ identity_secret: identitySecret });
export type RotateWidgetIdentitySecretResponse = z.input<typeof RotateWidgetIdentitySecretResponse>;

export const WidgetSessionResponse = z.strictObject({
  token: z.string().meta({ description: "The visitor token for `/api/embed/chat` (Bearer), bound to key, agent and visitor" }),
  expires_at: timestamp,
  visitor_id: z.string().nullable().meta({
    description:
      "The anonymous visitor's id, for the browser to keep and send again; null for an identified visitor, who is known by their identity",
  }),
  identity: z.strictObject({ sub: z.string(), name: z.string(), email: z.string().nullable() }).nullable().meta({
    description: "The identified visitor as Conduit knows them (the name shown to the organisation); null for an anonymous visitor",
  }),
  agent: z.strictObject({ id: z.string(), name: z.string() }),
  appearance: WidgetAppearanceResponse,
  messages: z.array(z.strictObject({ role: z.enum(["user", "assistant"]), content: z.string() })).meta({
    description: "The visitor's conversation so far, oldest first",
  }),
});
export type WidgetSessionResponse = z.input<typeof WidgetSessionResponse>;
