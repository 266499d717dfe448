import { z } from "zod";
import { CreateMemoryEntryRequest, CreateMemoryRequest, knowledgeContentTypes } from "@/lib/agents-api/schemas";

/*
 * The knowledge forms, mapped onto the API's request schemas (checked in the browser, parsed again
 * by the server action). The upload's file is not a form value: the action reads it from the form.
 */

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value : undefined));

export const UploadDocumentForm = z.object({
  path: optionalText,
  content: optionalText,
  content_type: z.union([z.enum(knowledgeContentTypes), z.literal("")]).optional(),
});

export const DocumentIdForm = z.object({ id: z.string().trim().min(1, "Which document?").max(200) });

export const CreateMemoryForm = z
  .object({ name: z.string().trim().min(1, "Give the memory a name").max(200), description: z.string().optional() })
  .transform((fields): z.input<typeof CreateMemoryRequest> => ({ name: fields.name, description: fields.description?.trim() || null }))
  .pipe(CreateMemoryRequest);

export const MemoryIdForm = z.object({ id: z.string().trim().min(1, "Which memory?").max(200) });

/** Tags as typed: comma-separated, blanks dropped. */
export const AddEntryForm = z
  .object({
    memory_id: z.string().trim().min(1).max(200),
    content: z.string().trim().min(1, "Write the entry"),
    tags: z.string().optional(),
  })
  .transform((fields): { memoryId: string; entry: z.input<typeof CreateMemoryEntryRequest> } => ({
    memoryId: fields.memory_id,
    entry: {
      content: fields.content,
      tags: (fields.tags ?? "")
        .split(",")
        .map((tag) => tag.trim())
        .filter(Boolean),
    },
  }))
  .pipe(z.object({ memoryId: z.string(), entry: CreateMemoryEntryRequest }));

/** An entry is named by its memory and its own id, joined as the form's one `id`. */
export const EntryIdForm = z.object({
  id: z
    .string()
    .regex(/^[^/]+\/[^/]+$/, "Which entry?")
    .transform((value) => {
      const [memoryId, entryId] = value.split("/") as [string, string];
      return { memoryId, entryId };
    }),
});
