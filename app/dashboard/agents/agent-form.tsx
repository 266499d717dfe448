"use client";

import { Label } from "radix-ui";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { useActionForm } from "@/components/ui/use-action-form";
import { createAgentAction, updateAgentAction } from "./actions";
import { CreateAgentFormRequest, UpdateAgentFormRequest } from "./schemas";

export interface ProviderOption {
  id: string;
  name: string;
  defaultModel: string | null;
}

export interface ToolOption {
  id: string;
  name: string;
  type: string;
  gated: boolean;
  description: string | null;
}

export interface AgentFormValues {
  agentId: string;
  name: string;
  instructions: string;
  providerId: string;
  model: string;
  temperature: string;
  maxSteps: string;
  toolChoice: "auto" | "none" | "required" | "unchanged";
  toolIds: string[];
}

/** Creates an agent (no `initial`) or edits one; both post every field, checked with the server's schema first. */
export function AgentForm({ providers, tools, initial }: { providers: ProviderOption[]; tools: ToolOption[]; initial?: AgentFormValues }) {
  const editing = initial !== undefined;
  const { state, errors, formAction, onSubmit, pending } = useActionForm(
    editing ? updateAgentAction : createAgentAction,
    editing ? UpdateAgentFormRequest : CreateAgentFormRequest,
  );
  // After a refusal the form shows what was typed; otherwise the stored values.
  const value = (name: string, stored: string) => state.values?.[name] ?? stored;
  const checked = new Set(initial?.toolIds ?? []);

  return (
    <form action={formAction} onSubmit={onSubmit} noValidate className="grid max-w-2xl gap-5">
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      {state.ok && editing ? <Notice>Saved. New runs use these settings.</Notice> : null}
      {editing ? <input type="hidden" name="agent_id" value={initial.agentId} /> : null}

      <Field name="name" label="Name" defaultValue={value("name", initial?.name ?? "")} error={errors.name} required maxLength={200} />

      <div className="grid gap-1.5">
        <Label.Root htmlFor="instructions" className="text-sm font-medium">
          Instructions
        </Label.Root>
        <p id="instructions-hint" className="text-sm text-text-muted">
          Sent to the model as the system prompt on every run.
        </p>
        <Textarea
          id="instructions"
          name="instructions"
          rows={6}
          defaultValue={value("instructions", initial?.instructions ?? "")}
          aria-invalid={errors.instructions ? true : undefined}
          aria-describedby={errors.instructions ? "instructions-hint instructions-error" : "instructions-hint"}
        />
        {errors.instructions ? (
          <p id="instructions-error" className="text-sm text-danger">
            {errors.instructions}
          </p>
        ) : null}
      </div>

      <div className="grid gap-4 sm:grid-cols-2">
        <div className="grid gap-1.5">
          <Label.Root htmlFor="ai_provider_id" className="text-sm font-medium">
            AI provider
          </Label.Root>
          <Select
            id="ai_provider_id"
            name="ai_provider_id"
            defaultValue={value("ai_provider_id", initial?.providerId ?? providers[0]?.id ?? "")}
            aria-invalid={errors.ai_provider_id ? true : undefined}
            aria-describedby={errors.ai_provider_id ? "ai_provider_id-error" : undefined}
          >
            {providers.map((provider) => (
              <option key={provider.id} value={provider.id}>
                {provider.name}
                {provider.defaultModel ? ` (${provider.defaultModel})` : ""}
              </option>
            ))}
          </Select>
          {errors.ai_provider_id ? (
            <p id="ai_provider_id-error" className="text-sm text-danger">
              {errors.ai_provider_id}
            </p>
          ) : null}
        </div>
        <Field
          name="model"
          label="Model (blank: the provider's default)"
          defaultValue={value("model", initial?.model ?? "")}
          error={errors.model}
          maxLength={200}
        />
      </div>

      <fieldset className="grid gap-4 rounded-lg border border-border p-4">
        <legend className="px-1 text-sm font-medium">Limits</legend>
        <div className="grid gap-4 sm:grid-cols-3">
          <Field
            name="max_steps"
            label="Max steps (1–100, blank: 10)"
            inputMode="numeric"
            defaultValue={value("max_steps", initial?.maxSteps ?? "")}
            error={errors.max_steps}
          />
          <Field
            name="temperature"
            label="Temperature (0–2, blank: model default)"
            inputMode="decimal"
            defaultValue={value("temperature", initial?.temperature ?? "")}
            error={errors.temperature}
          />
          <div className="grid gap-1.5">
            <Label.Root htmlFor="tool_choice" className="text-sm font-medium">
              Tool use
            </Label.Root>
            <Select id="tool_choice" name="tool_choice" defaultValue={value("tool_choice", initial?.toolChoice ?? "auto")}>
              <option value="auto">The model decides</option>
              <option value="required">Must call a tool</option>
              <option value="none">Never call tools</option>
              {initial?.toolChoice === "unchanged" ? <option value="unchanged">One named tool (set through the API)</option> : null}
            </Select>
          </div>
        </div>
      </fieldset>

      <fieldset className="grid gap-2 rounded-lg border border-border p-4">
        <legend className="px-1 text-sm font-medium">Tools</legend>
        {tools.length === 0 ? (
          <p className="text-sm text-text-muted">
            This organisation has no tools yet. Create them with the Agents API (<code>POST /api/v1/agents/tools</code>), then attach them
            here.
          </p>
        ) : (
          tools.map((tool) => (
            <label key={tool.id} className="flex items-start gap-3 rounded-md p-2 hover:bg-surface-muted">
              <input
                type="checkbox"
                name="tool_ids"
                value={tool.id}
                defaultChecked={checked.has(tool.id)}
                className="mt-1 size-4 accent-[var(--color-accent)]"
              />
              <span className="grid gap-0.5">
                <span className="flex flex-wrap items-center gap-2 text-sm font-medium">
                  {tool.name}
                  <Badge>{tool.type}</Badge>
                  {tool.gated ? <Badge tone="warn">gated: needs approval</Badge> : null}
                </span>
                {tool.description ? <span className="text-sm text-text-muted">{tool.description}</span> : null}
              </span>
            </label>
          ))
        )}
        {errors.tool_ids ? <p className="text-sm text-danger">{errors.tool_ids}</p> : null}
      </fieldset>

      <Button type="submit" disabled={pending} className="w-fit">
        {pending ? "Saving…" : editing ? "Save changes" : "Create agent"}
      </Button>
    </form>
  );
}
