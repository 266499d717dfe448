import { z } from "zod";
import { ApiError } from "@/lib/errors";
import { normaliseOrigin } from "@/lib/widget/origins";
import { CreateWidgetKeyRequest, UpdateWidgetKeyRequest } from "@/lib/widget/schemas";

/**
 * The widget key forms of the Deployments page, mapped onto the widget API's own schemas: the
 * browser checks with these before posting and the server actions parse with them again. Origins
 * go through the server's own normalisation, so a refused origin is reported on its field.
 */

const widgetKeyId = z.string({ error: "Which widget key?" }).trim().min(1, "Which widget key?").max(64);

/** One origin a line; blank lines are ignored. */
const originLines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);

const ORIGINS_PREFIX = "allowed_origins: ";

/** The lines as normalised origins, or an issue on the field naming the first refused one. */
const allowedOrigins = z
  .string()
  .optional()
  .transform((text, context) => {
    const origins: string[] = [];
    for (const line of originLines(text ?? "")) {
      try {
        origins.push(normaliseOrigin(line));
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        // The field is labelled already; its message needs no field name in front.
        context.addIssue({ code: "custom", message: error.message.replace(ORIGINS_PREFIX, "Origin ") });
        return z.NEVER;
      }
    }
    return [...new Set(origins)];
  });

/** A whole number of messages, or absent when left empty. */
const dailyCap = z
  .string()
  .trim()
  .optional()
  .refine((value) => !value || /^\d{1,7}$/.test(value), "A whole number of messages a day")
  .transform((value) => (value ? Number(value) : undefined));

/** Text left empty is left out: the default (or, when editing, the current value) stays. */
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => value || undefined);

const widgetFields = z.object({
  name: optionalText,
  allowed_origins: allowedOrigins,
  color: optionalText,
  position: optionalText,
  greeting: optionalText,
  placeholder: optionalText,
  launcher_icon: optionalText,
  // Unlike the other texts, emptied on purpose: the launcher goes back to a round button.
  launcher_label: z.string().trim().optional(),
  // A checkbox: present when ticked, absent otherwise.
  branding: z
    .string()
    .optional()
    .transform((value) => value !== undefined),
  daily_message_cap: dailyCap,
});
type WidgetFields = z.output<typeof widgetFields>;

const definedOnly = <T extends Record<string, unknown>>(value: T) =>
  Object.fromEntries(Object.entries(value).filter((entry) => entry[1] !== undefined)) as Partial<T>;

function requestBody(fields: WidgetFields) {
  const { name, allowed_origins, color, position, greeting, placeholder, branding, launcher_icon, launcher_label, daily_message_cap } =
    fields;
  return definedOnly({
    name,
    allowed_origins,
    appearance: definedOnly({ color, position, greeting, placeholder, branding, launcher_icon, launcher_label }),
    daily_message_cap,
  });
}

/** Creates a widget key for the agent: its origins (one a line), how it looks, and its daily cap. */
export const CreateWidgetKeyForm = widgetFields
  .extend({ agent_id: z.string({ error: "The agent is missing" }).min(1, "The agent is missing").max(100) })
  .refine((fields) => fields.allowed_origins.length > 0, {
    message: "Add at least one origin, like https://www.example.com",
    path: ["allowed_origins"],
  })
  .transform(({ agent_id, ...fields }) => ({ agent_id, ...requestBody(fields) }))
  .pipe(CreateWidgetKeyRequest);

/** Changes a widget key: every field is shown filled in, and an empty one keeps its current value. */
export const UpdateWidgetKeyForm = widgetFields
  .extend({ id: widgetKeyId })
  .transform(({ id, ...fields }) => {
    const { allowed_origins, ...changes } = requestBody(fields);
    // An empty origins box keeps the current list: a key always has at least one.
    return { id, ...changes, ...(allowed_origins?.length ? { allowed_origins } : {}) };
  })
  .pipe(UpdateWidgetKeyRequest.extend({ id: widgetKeyId }));

export const WidgetKeyIdForm = z.object({ id: widgetKeyId });
