/**
 * The automation editor's forms. The step list travels as one JSON field of drafts (form text as
 * typed); it is turned into steps here and checked with the API's own step schemas, so the
 * browser and the server action refuse exactly what the API refuses.
 */
import { z } from "zod";
import { AutomationSteps, type StepType } from "@/lib/automations/schemas";

/** One step as the editor holds it: every field as text. */
export interface StepDraft {
  id: string;
  type: StepType;
  agent_id?: string;
  prompt?: string;
  method?: string;
  url?: string;
  /** `Name: value` lines. */
  headers?: string;
  /** JSON text. */
  body?: string;
  field?: string;
  operator?: string;
  value?: string;
  else_step?: string;
  seconds?: string;
}

type Issue = { path: (string | number)[]; message: string };

function headersOf(text: string, index: number, issues: Issue[]): Record<string, string> | undefined {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  if (lines.length === 0) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) {
      issues.push({ path: [index, "headers"], message: "Write one header per line, as Name: value" });
      return undefined;
    }
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function bodyOf(text: string, index: number, issues: Issue[]): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    issues.push({ path: [index, "body"], message: "The body must be JSON; its strings may hold {{templates}}" });
    return undefined;
  }
}

/** A draft as the API's step, leaving out what the step's type does not use. */
function stepOf(draft: StepDraft, index: number, issues: Issue[]): Record<string, unknown> {
  const base = { id: draft.id, type: draft.type };
  switch (draft.type) {
    case "agent":
      return { ...base, agent_id: draft.agent_id ?? "", prompt: draft.prompt ?? "" };
    case "http": {
      const headers = headersOf(draft.headers ?? "", index, issues);
      const body = draft.method === "GET" ? undefined : bodyOf(draft.body ?? "", index, issues);
      return {
        ...base,
        method: draft.method ?? "POST",
        url: draft.url ?? "",
        ...(headers ? { headers } : {}),
        ...(body === undefined ? {} : { body }),
      };
    }
    case "condition":
      return {
        ...base,
        field: draft.field ?? "",
        operator: draft.operator ?? "equals",
        ...(draft.operator === "exists" ? {} : { value: draft.value ?? "" }),
        ...(draft.else_step ? { else_step: draft.else_step } : {}),
      };
    case "delay":
      return { ...base, seconds: draft.seconds?.trim() ? Number(draft.seconds) : undefined };
  }
}

const stepsField = z
  .string()
  .transform((text, context) => {
    let drafts: unknown;
    try {
      drafts = JSON.parse(text);
    } catch {
      drafts = null;
    }
    if (!Array.isArray(drafts)) {
      context.addIssue({ code: "custom", message: "The steps could not be read" });
      return z.NEVER;
    }
    const issues: Issue[] = [];
    const steps = (drafts as StepDraft[]).map((draft, index) => stepOf(draft, index, issues));
    for (const issue of issues) context.addIssue({ code: "custom", ...issue });
    return issues.length > 0 ? z.NEVER : steps;
  })
  .pipe(AutomationSteps);

export const AutomationForm = z.object({
  id: z.string().min(1).max(100).optional(),
  name: z.string().trim().min(1, "Give the automation a name").max(200),
  steps: stepsField,
});

export const AutomationIdForm = z.object({ id: z.string().min(1).max(100) });
