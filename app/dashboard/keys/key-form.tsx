"use client";

import { Label } from "radix-ui";
import { useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import { useActionForm } from "@/components/ui/use-action-form";
import type { ActionState } from "@/lib/forms";
import { CreateKeyForm, UpdateKeyForm } from "./schemas";

export interface AgentChoice {
  publicId: string;
  name: string | null;
}

/** A key's settings as the form shows them (dollars, not cents). */
export interface KeyFormValues {
  label: string;
  agentIds: string[] | null;
  budgetUsd: string;
  budgetPeriod: "daily" | "monthly" | "total";
  responseUrl: string;
}

export const NEW_KEY: KeyFormValues = { label: "", agentIds: null, budgetUsd: "", budgetPeriod: "monthly", responseUrl: "" };

/**
 * The settings of a key, for creating one or changing one. `done` renders what replaces the form
 * after a success (the secrets of a new key); without it the form stays, saying it saved.
 */
export function KeyForm<R>({
  mode,
  keyId,
  action,
  agents,
  initial,
  submitLabel,
  done,
}: {
  mode: "create" | "edit";
  keyId?: string;
  action: (previous: ActionState<R>, form: FormData) => Promise<ActionState<R>>;
  agents: AgentChoice[];
  initial: KeyFormValues;
  submitLabel: string;
  done?: (result: R) => ReactNode;
}) {
  const { state, errors, formAction, onSubmit, pending } = useActionForm(action, mode === "create" ? CreateKeyForm : UpdateKeyForm);
  // Controlled, so a refused post keeps the choice (React resets uncontrolled fields after an action).
  const [scope, setScope] = useState<"all" | "some">(initial.agentIds === null ? "all" : "some");
  const [chosen, setChosen] = useState<string[]>(initial.agentIds ?? []);
  if (state.ok && state.result !== undefined && done) return <>{done(state.result)}</>;
  const value = (name: string, fallback: string) => state.values?.[name] ?? fallback;
  const budgetError = errors.budget_usd ?? errors.budget_usd_cents;
  return (
    <form action={formAction} onSubmit={onSubmit} noValidate className="grid gap-5">
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      {state.ok && mode === "edit" ? <Notice>Saved.</Notice> : null}
      {keyId ? <input type="hidden" name="id" value={keyId} /> : null}
      <Field
        name="label"
        label="Label"
        placeholder="e.g. My CRM integration"
        defaultValue={value("label", initial.label)}
        error={errors.label}
        maxLength={200}
      />

      <fieldset className="grid gap-2" aria-describedby={errors.agent_ids ? "agent_ids-error" : undefined}>
        <legend className="mb-1 text-sm font-medium">Agents this key may use</legend>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="radio"
            name="agent_scope"
            value="all"
            checked={scope === "all"}
            onChange={() => setScope("all")}
            className="size-4"
          />
          Every agent of the organisation
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="radio"
            name="agent_scope"
            value="some"
            checked={scope === "some"}
            onChange={() => setScope("some")}
            className="size-4"
            disabled={agents.length === 0}
          />
          Only the agents chosen below (the first is the task gateway&apos;s default)
        </label>
        {scope === "some" ? (
          <div className="ml-6 grid max-h-64 gap-1 overflow-y-auto rounded-md border border-border p-3">
            {agents.map((agent) => (
              <label key={agent.publicId} className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  name="agent_ids"
                  value={agent.publicId}
                  checked={chosen.includes(agent.publicId)}
                  onChange={(event) =>
                    setChosen((current) =>
                      event.target.checked ? [...current, agent.publicId] : current.filter((id) => id !== agent.publicId),
                    )
                  }
                  className="size-4"
                />
                {agent.name ?? "Unnamed agent"} <span className="font-mono text-xs text-text-muted">{agent.publicId}</span>
              </label>
            ))}
          </div>
        ) : null}
        {errors.agent_ids ? (
          <p id="agent_ids-error" className="text-sm text-danger">
            {errors.agent_ids}
          </p>
        ) : null}
      </fieldset>

      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          name="budget_usd"
          label="Budget in US dollars (empty: no budget)"
          inputMode="decimal"
          placeholder="e.g. 50"
          defaultValue={value("budget_usd", initial.budgetUsd)}
          error={budgetError}
        />
        <div className="grid gap-1.5">
          <Label.Root htmlFor="budget_period" className="text-sm font-medium">
            Budget period
          </Label.Root>
          <Select
            id="budget_period"
            name="budget_period"
            defaultValue={value("budget_period", initial.budgetPeriod)}
            aria-invalid={errors.budget_period ? true : undefined}
            aria-describedby={errors.budget_period ? "budget_period-error" : undefined}
          >
            <option value="daily">Per day (resets at midnight UTC)</option>
            <option value="monthly">Per month (resets on the 1st, UTC)</option>
            <option value="total">In total (never resets)</option>
          </Select>
          {errors.budget_period ? (
            <p id="budget_period-error" className="text-sm text-danger">
              {errors.budget_period}
            </p>
          ) : null}
        </div>
      </div>

      <Field
        name="response_url"
        label="Response URL (webhook for task replies, optional)"
        type="url"
        placeholder="https://your-app.example/webhook"
        defaultValue={value("response_url", initial.responseUrl)}
        error={errors.response_url}
      />

      <Button type="submit" disabled={pending} className="w-fit">
        {pending ? "Saving…" : submitLabel}
      </Button>
    </form>
  );
}
