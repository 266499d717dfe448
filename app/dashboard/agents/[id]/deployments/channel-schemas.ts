import { z } from "zod";
import { credentialSchemas, CreateChannelRequest, emailSettings } from "@/lib/channels/schemas";
import { META_CHANNELS } from "@/lib/channels/types";

/**
 * The channel forms of the Deployments page, mapped onto the channels API's own schemas: the
 * browser checks with these before posting and the server actions parse with them again. Each
 * form has flat fields (one per credential); errors come back under the API's paths, e.g.
 * `credentials.app_secret`.
 */

const channelId = z.string({ error: "Which channel connection?" }).trim().min(1, "Which channel connection?").max(64);

/** Every field a channel form may carry; which ones it shows depends on the channel type. */
const channelFields = z.object({
  type: z.string().optional(),
  name: z.string().optional(),
  app_secret: z.string().optional(),
  verify_token: z.string().optional(),
  access_token: z.string().optional(),
  account_sid: z.string().trim().optional(),
  auth_token: z.string().optional(),
  inbox_secret: z.string().trim().optional(),
  from_address: z.string().trim().optional(),
  from_name: z.string().trim().optional(),
  api_key_id: z.string().trim().optional(),
});
type ChannelFields = z.output<typeof channelFields>;

/** The fields that were filled in, from `names`: an empty field is left out (absent, or kept when replacing). */
function filled(fields: ChannelFields, names: ReadonlyArray<keyof ChannelFields>): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => (fields[name] ? [[name, fields[name]]] : [])));
}

const isMeta = (type: string | undefined) => (META_CHANNELS as readonly string[]).includes(type ?? "");

type ConnectBody = z.input<typeof CreateChannelRequest>;

function connectBody(fields: ChannelFields & { agent_id: string }): ConnectBody {
  const name = fields.name?.trim();
  const { app_secret, verify_token, access_token, account_sid, auth_token } = fields;
  const credentials = isMeta(fields.type)
    ? { app_secret, verify_token, access_token }
    : fields.type === "twilio"
      ? { account_sid, auth_token }
      : // An email connection's inbox secret is generated, and shown once.
        null;
  const settings = fields.type === "email" ? { from_address: fields.from_address, ...filled(fields, ["from_name"]) } : null;
  // The API's schema checks the type, and what that type needs, right after this mapping.
  return {
    agent_id: fields.agent_id,
    type: fields.type,
    ...(name ? { name } : {}),
    ...(fields.api_key_id ? { api_key_id: fields.api_key_id } : {}),
    ...(credentials ? { credentials } : {}),
    ...(settings ? { settings } : {}),
  } as ConnectBody;
}

/** Connects the agent to a channel: the type, a name, then that type's credentials (and, for email, where replies come from). */
export const ConnectChannelForm = channelFields
  .extend({ agent_id: z.string({ error: "The agent is missing" }).min(1, "The agent is missing").max(64) })
  .transform(connectBody)
  .pipe(CreateChannelRequest);

const META_CREDENTIALS = ["app_secret", "verify_token", "access_token"] as const;
const TWILIO_CREDENTIALS = ["account_sid", "auth_token"] as const;

const definedValues = (values: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));

const somethingToReplace = (value: { credentials: Record<string, unknown>; settings?: Record<string, unknown> }) =>
  Object.keys(value.credentials).length + Object.keys(value.settings ?? {}).length > 0;

/**
 * Replaces some of a connection's credentials (and an email connection's reply address): every
 * field is write-only, and one left empty keeps its current value. `type` only chooses the
 * checks here; the server checks against the connection's real type again.
 */
export const ReplaceCredentialsForm = channelFields
  .extend({ id: channelId })
  .transform((fields) => {
    if (isMeta(fields.type)) return { id: fields.id, type: "meta" as const, credentials: filled(fields, META_CREDENTIALS) };
    if (fields.type === "twilio") return { id: fields.id, type: "twilio" as const, credentials: filled(fields, TWILIO_CREDENTIALS) };
    return {
      id: fields.id,
      type: "email" as const,
      credentials: filled(fields, ["inbox_secret"]),
      settings: filled(fields, ["from_address", "from_name"]),
    };
  })
  .pipe(
    z
      .discriminatedUnion("type", [
        z.object({ id: channelId, type: z.literal("meta"), credentials: credentialSchemas.meta.partial() }),
        z.object({ id: channelId, type: z.literal("twilio"), credentials: credentialSchemas.twilio.partial() }),
        z.object({
          id: channelId,
          type: z.literal("email"),
          credentials: credentialSchemas.email.partial(),
          settings: emailSettings.partial(),
        }),
      ])
      .refine(somethingToReplace, { message: "Fill in at least one field: empty fields keep their current value", path: ["form"] }),
  )
  // As the API's update takes them: only what changes.
  .transform(({ id, ...fields }) => {
    const credentials = definedValues(fields.credentials);
    const settings = definedValues("settings" in fields ? fields.settings : {});
    return {
      id,
      ...(Object.keys(credentials).length > 0 ? { credentials } : {}),
      ...(Object.keys(settings).length > 0 ? { settings } : {}),
    };
  });

export const ChannelEnabledForm = z.object({
  id: channelId,
  enabled: z.enum(["true", "false"], { error: "Enable or disable?" }).transform((value) => value === "true"),
});

export const ChannelIdForm = z.object({ id: channelId });
