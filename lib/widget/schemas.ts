/** The widget key API's request bodies. Client-safe (zod only): the dashboard's forms check with them in the browser. */
import { z } from "zod";
import type { WidgetAppearance } from "@/lib/db";

/** The launcher's built-in icons, drawn from inline SVG in public/widget.js (no images, no other hosts). */
export const LAUNCHER_ICONS = ["chat", "help", "sparkles", "message"] as const satisfies readonly NonNullable<
  WidgetAppearance["launcher_icon"]
>[];

const appearance = z
  .strictObject({
    color: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, "color is a hex colour like #4f46e5")
      .optional(),
    position: z.enum(["right", "left"]).optional(),
    greeting: z.string().trim().max(500).optional(),
    placeholder: z.string().trim().max(100).optional(),
    branding: z.boolean().optional(),
    launcher_icon: z.enum(LAUNCHER_ICONS).optional().meta({ description: "The launcher's icon, default `chat`" }),
    launcher_label: z
      .string()
      .trim()
      .max(40)
      .optional()
      .meta({ description: "Text beside the launcher's icon (a pill-shaped launcher); empty, the default, for a round button" }),
  })
  .meta({ description: "How the widget looks; each field has a default" });

const origins = z
  .array(z.string().max(300))
  .min(1, "allowed_origins needs at least one origin")
  .max(50)
  .meta({ description: "Origins that may embed the widget: https only (http for localhost), e.g. https://www.example.com" });

export const CreateWidgetKeyRequest = z.strictObject({
  agent_id: z.string().min(1).max(100),
  name: z.string().trim().min(1).max(200).optional(),
  allowed_origins: origins,
  appearance: appearance.optional(),
  daily_message_cap: z.number().int().min(1).max(1_000_000).optional().meta({ description: "Visitor messages a day (UTC), default 1000" }),
});
export type CreateWidgetKeyRequest = z.output<typeof CreateWidgetKeyRequest>;

export const UpdateWidgetKeyRequest = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  allowed_origins: origins.optional(),
  appearance: appearance.optional(),
  daily_message_cap: z.number().int().min(1).max(1_000_000).optional(),
});
export type UpdateWidgetKeyRequest = z.output<typeof UpdateWidgetKeyRequest>;
