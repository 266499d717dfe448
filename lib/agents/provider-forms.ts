import { z } from "zod";

/**
 * The dashboard's AI provider forms, checked in the browser and again by the server actions (zod
 * only, so it is client-safe). The limits are the Agents API's (`CreateAiProviderRequest`,
 * `UpdateAiProviderRequest`); blank boxes mean "not set".
 */

const blank = (value: string | undefined) => value === undefined || value.trim() === "";

const name = z.string().trim().min(1, "Name the provider").max(200, "At most 200 characters");
const baseUrl = z
  .string()
  .trim()
  .pipe(z.url({ protocol: /^https?$/, message: "An http(s) URL, e.g. https://api.openai.com/v1" }).max(2048, "At most 2048 characters"));
const apiKey = z.string().max(4096, "At most 4096 characters");
const model = z.string().trim().max(200, "At most 200 characters");

export const CreateProviderForm = z.object({
  name,
  type: z.enum(["openai_compatible", "demo"], { message: "Choose a type" }),
  base_url: z.union([z.literal("").transform(() => undefined), baseUrl]).optional(),
  api_key: apiKey.optional().transform((value) => (blank(value) ? undefined : value)),
  default_model: model.optional().transform((value) => (blank(value) ? undefined : value)),
  embedding_model: model.optional().transform((value) => (blank(value) ? undefined : value)),
});

/** The key is write-only: a blank box keeps the stored one, `clear_api_key` removes it. */
export const UpdateProviderForm = z
  .object({
    provider_id: z.string().min(1).max(100),
    name,
    base_url: z.union([z.literal("").transform(() => null), baseUrl]).optional(),
    api_key: apiKey.optional(),
    clear_api_key: z.literal("on").optional(),
    default_model: model.optional().transform((value) => (blank(value) ? null : value)),
    embedding_model: model.optional().transform((value) => (blank(value) ? null : value)),
  })
  .transform(({ api_key, clear_api_key, ...rest }) => ({
    ...rest,
    api_key: clear_api_key === "on" ? null : blank(api_key) ? undefined : api_key,
  }));

export const DeleteProviderForm = z.object({ provider_id: z.string().min(1).max(100) });
