"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import { ApiError } from "@/lib/errors";
import type { ActionState } from "@/lib/forms";
import {
  addMemoryEntry,
  createMemory,
  deleteDocument,
  deleteMemory,
  deleteMemoryEntry,
  documentFromFields,
  documentFromFile,
  getMemory,
  saveDocument,
} from "@/lib/knowledge";
import { memberAction } from "@/lib/session/actions";
import { AddEntryForm, CreateMemoryForm, DocumentIdForm, EntryIdForm, MemoryIdForm, UploadDocumentForm } from "./schemas";

/* Owners and admins change knowledge, as keys that manage do on /api/v1/documents and /api/v1/memories; the services are the API's. */

const KNOWLEDGE_PAGE = "/dashboard/knowledge";

export interface UploadedDocument {
  path: string;
  created: boolean;
}

const upload = memberAction({ roles: OWNERS_AND_ADMINS, schema: UploadDocumentForm }, async ({ member, db, input, form }) => {
  const file = form.get("file");
  const declaredType = input.content_type || null;
  const document =
    file instanceof File && file.size > 0
      ? await documentFromFile(file, input.path ?? null, declaredType)
      : input.content !== undefined
        ? documentFromFields({ path: input.path, content: input.content, content_type: declaredType ?? undefined })
        : null;
  if (!document) throw new ApiError("VALIDATION_FAILED", "Choose a file, or paste the text and give it a path");
  // A member's upload is the organisation's: no key, so no budget but its plan.
  const { document: saved, created } = await saveDocument(db, member.orgId, document, null);
  revalidatePath(KNOWLEDGE_PAGE);
  return { path: saved.path, created } satisfies UploadedDocument;
});

export async function uploadDocumentAction(
  previous: ActionState<UploadedDocument>,
  form: FormData,
): Promise<ActionState<UploadedDocument>> {
  return upload(previous, form);
}

const removeDocument = memberAction({ roles: OWNERS_AND_ADMINS, schema: DocumentIdForm }, async ({ member, db, input }) => {
  await deleteDocument(db, member.orgId, input.id);
  revalidatePath(KNOWLEDGE_PAGE);
  return input.id;
});

export async function deleteDocumentAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return removeDocument(previous, form);
}

const create = memberAction({ roles: OWNERS_AND_ADMINS, schema: CreateMemoryForm }, async ({ member, db, input }) => {
  const memory = await createMemory(db, member.orgId, input);
  revalidatePath(KNOWLEDGE_PAGE);
  return memory.publicId;
});

export async function createMemoryAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  const state = await create(previous, form);
  if (state.ok && state.result) redirect(`${KNOWLEDGE_PAGE}/memories/${state.result}`);
  return state;
}

const removeMemory = memberAction({ roles: OWNERS_AND_ADMINS, schema: MemoryIdForm }, async ({ member, db, input }) => {
  await deleteMemory(db, member.orgId, input.id);
  revalidatePath(KNOWLEDGE_PAGE);
  return input.id;
});

export async function deleteMemoryAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  const state = await removeMemory(previous, form);
  if (state.ok) redirect(KNOWLEDGE_PAGE);
  return state;
}

const addEntry = memberAction({ roles: OWNERS_AND_ADMINS, schema: AddEntryForm }, async ({ member, db, input }) => {
  const memory = await getMemory(db, member.orgId, input.memoryId, null);
  const entry = await addMemoryEntry(db, memory, input.entry, null);
  revalidatePath(`${KNOWLEDGE_PAGE}/memories/${memory.publicId}`);
  return entry.publicId;
});

export async function addMemoryEntryAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return addEntry(previous, form);
}

const removeEntry = memberAction({ roles: OWNERS_AND_ADMINS, schema: EntryIdForm }, async ({ member, db, input }) => {
  const memory = await getMemory(db, member.orgId, input.id.memoryId, null);
  await deleteMemoryEntry(db, memory, input.id.entryId);
  revalidatePath(`${KNOWLEDGE_PAGE}/memories/${memory.publicId}`);
  return input.id.entryId;
});

export async function deleteMemoryEntryAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return removeEntry(previous, form);
}
