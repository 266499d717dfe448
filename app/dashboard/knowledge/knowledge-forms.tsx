"use client";

import { Label } from "radix-ui";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { ConfirmedAction } from "@/components/ui/confirmed-action";
import { Field } from "@/components/ui/field";
import { NativeSelect } from "@/components/ui/native-select";
import { Textarea } from "@/components/ui/textarea";
import { useActionForm } from "@/components/ui/use-action-form";
import {
  addMemoryEntryAction,
  createMemoryAction,
  deleteDocumentAction,
  deleteMemoryAction,
  deleteMemoryEntryAction,
  uploadDocumentAction,
  type UploadedDocument,
} from "./actions";
import { AddEntryForm, CreateMemoryForm, UploadDocumentForm } from "./schemas";

const TYPE_OPTIONS = [
  { value: "", label: "From the file (or plain text)" },
  { value: "text/plain", label: "Plain text" },
  { value: "text/markdown", label: "Markdown" },
  { value: "text/html", label: "HTML" },
];

function TextArea({ name, label, error, ...props }: { name: string; label: string; error?: string; rows?: number; defaultValue?: string }) {
  return (
    <div className="grid gap-1.5">
      <Label.Root htmlFor={name} className="text-sm font-medium">
        {label}
      </Label.Root>
      <Textarea
        id={name}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${name}-error` : undefined}
        {...props}
      />
      {error ? (
        <p id={`${name}-error`} className="text-sm text-danger">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** Uploads a file (text, Markdown, HTML or PDF) or pasted text; the same path replaces a document. */
export function UploadDocument() {
  const { state, errors, formAction, onSubmit, pending } = useActionForm<UploadedDocument>(uploadDocumentAction, UploadDocumentForm);
  const uploaded = state.ok ? state.result : undefined;
  return (
    <form action={formAction} onSubmit={onSubmit} noValidate className="grid gap-4">
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      {uploaded ? <Notice>{`${uploaded.path} ${uploaded.created ? "uploaded" : "replaced"}; it is searchable now.`}</Notice> : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          name="file"
          label="File (text, Markdown, HTML or PDF)"
          type="file"
          accept=".txt,.md,.markdown,.html,.htm,.pdf,text/*,application/pdf"
        />
        <Field
          name="path"
          label="Path (optional for a file)"
          placeholder="handbook/returns.md"
          defaultValue={state.ok ? "" : (state.values?.path ?? "")}
          error={errors.path}
          maxLength={1024}
        />
      </div>
      <TextArea
        name="content"
        label="Or paste the text"
        rows={5}
        defaultValue={state.ok ? "" : (state.values?.content ?? "")}
        error={errors.content}
      />
      <NativeSelect name="content_type" label="Type" options={TYPE_OPTIONS} defaultValue="" className="max-w-xs" />
      <Button type="submit" disabled={pending} className="w-fit">
        {pending ? "Uploading…" : "Upload document"}
      </Button>
    </form>
  );
}

export function DeleteDocument({ id, path }: { id: string; path: string }) {
  return (
    <ConfirmedAction<string>
      id={id}
      action={deleteDocumentAction}
      trigger={
        <Button type="button" variant="danger" size="sm" aria-label={`Delete ${path}`}>
          Delete
        </Button>
      }
      title={`Delete ${path}?`}
      description="Its passages leave every search and every agent's runs at once. This cannot be undone."
      confirmLabel="Delete document"
      pendingLabel="Deleting…"
    />
  );
}

export function CreateMemory() {
  const { state, errors, formAction, onSubmit, pending } = useActionForm<string>(createMemoryAction, CreateMemoryForm);
  return (
    <form action={formAction} onSubmit={onSubmit} noValidate className="grid gap-4">
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="name" label="Name" defaultValue={state.values?.name ?? ""} error={errors.name} maxLength={200} required />
        <Field
          name="description"
          label="Description (optional)"
          defaultValue={state.values?.description ?? ""}
          error={errors.description}
          maxLength={2000}
        />
      </div>
      <Button type="submit" disabled={pending} className="w-fit">
        {pending ? "Creating…" : "Create memory"}
      </Button>
    </form>
  );
}

export function AddMemoryEntry({ memoryId }: { memoryId: string }) {
  const { state, errors, formAction, onSubmit, pending } = useActionForm<string>(addMemoryEntryAction, AddEntryForm);
  return (
    // A new key empties the form after each added entry.
    <form key={state.ok ? state.result : "draft"} action={formAction} onSubmit={onSubmit} noValidate className="grid gap-4">
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      <input type="hidden" name="memory_id" value={memoryId} />
      <TextArea
        name="content"
        label="Entry"
        rows={3}
        defaultValue={state.ok ? "" : (state.values?.content ?? "")}
        error={errors.content ?? errors["entry.content"]}
      />
      <Field
        name="tags"
        label="Tags (comma-separated, optional)"
        placeholder="billing, vip"
        defaultValue={state.ok ? "" : (state.values?.tags ?? "")}
        error={errors.tags ?? errors["entry.tags"]}
      />
      <Button type="submit" disabled={pending} className="w-fit">
        {pending ? "Adding…" : "Add entry"}
      </Button>
    </form>
  );
}

export function DeleteMemoryEntry({ memoryId, entryId }: { memoryId: string; entryId: string }) {
  return (
    <ConfirmedAction<string>
      id={`${memoryId}/${entryId}`}
      action={deleteMemoryEntryAction}
      trigger={
        <Button type="button" variant="danger" size="sm" aria-label={`Delete entry ${entryId}`}>
          Delete
        </Button>
      }
      title="Delete this entry?"
      description="Agents stop finding it at once. This cannot be undone."
      confirmLabel="Delete entry"
      pendingLabel="Deleting…"
    />
  );
}

export function DeleteMemory({ id, name }: { id: string; name: string }) {
  return (
    <ConfirmedAction<string>
      id={id}
      action={deleteMemoryAction}
      trigger={
        <Button type="button" variant="danger" size="sm">
          Delete memory
        </Button>
      }
      title={`Delete ${name}?`}
      description="The memory and all its entries are deleted, and agents stop finding them at once. This cannot be undone."
      confirmLabel="Delete memory"
      pendingLabel="Deleting…"
    />
  );
}
