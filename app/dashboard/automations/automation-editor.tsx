"use client";

import Link from "next/link";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { NativeSelect } from "@/components/ui/native-select";
import { SecretNotice } from "@/components/ui/secret-notice";
import { Textarea } from "@/components/ui/textarea";
import { useActionForm } from "@/components/ui/use-action-form";
import {
  CONDITION_OPERATORS,
  HTTP_STEP_METHODS,
  MAX_STEPS,
  STEP_TYPES,
  type AutomationStep,
  type StepType,
} from "@/lib/automations/schemas";
import type { FieldErrors } from "@/lib/forms";
import { submitAutomationAction } from "./actions";
import { AutomationForm, type StepDraft } from "./schemas";

const STEP_LABELS: Record<StepType, string> = {
  agent: "Run an agent",
  http: "Call a URL",
  condition: "Check a condition",
  delay: "Wait",
};

type EditedStep = StepDraft & { key: number };

let nextKey = 0;

/** A stored step as the editor's text fields. */
function draftOf(step: AutomationStep): EditedStep {
  const key = nextKey++;
  switch (step.type) {
    case "agent":
      return { key, id: step.id, type: step.type, agent_id: step.agent_id, prompt: step.prompt };
    case "http":
      return {
        key,
        id: step.id,
        type: step.type,
        method: step.method,
        url: step.url,
        headers: Object.entries(step.headers ?? {})
          .map(([name, value]) => `${name}: ${value}`)
          .join("\n"),
        body: step.body === undefined ? "" : JSON.stringify(step.body, null, 2),
      };
    case "condition":
      return {
        key,
        id: step.id,
        type: step.type,
        field: step.field,
        operator: step.operator,
        value: step.value ?? "",
        else_step: step.else_step ?? "",
      };
    case "delay":
      return { key, id: step.id, type: step.type, seconds: String(step.seconds) };
  }
}

function newDraft(type: StepType, taken: string[], agents: ReadonlyArray<{ id: string }>): EditedStep {
  let n = 1;
  while (taken.includes(`${type}_${n}`)) n++;
  const base = { key: nextKey++, id: `${type}_${n}`, type };
  switch (type) {
    case "agent":
      return { ...base, agent_id: agents[0]?.id ?? "", prompt: "{{trigger.body.message}}" };
    case "http":
      return { ...base, method: "POST", url: "https://", headers: "", body: "{}" };
    case "condition":
      return { ...base, field: "trigger.body.", operator: "equals", value: "", else_step: "" };
    case "delay":
      return { ...base, seconds: "60" };
  }
}

/** The stored form of the drafts: what the `steps` field carries. */
const serialized = (steps: EditedStep[]) => JSON.stringify(steps.map(({ key: _key, ...draft }) => draft));

function StepFields({
  step,
  index,
  errors,
  agents,
  change,
}: {
  step: EditedStep;
  index: number;
  errors: FieldErrors;
  agents: ReadonlyArray<{ id: string; name: string }>;
  change: (changes: Partial<StepDraft>) => void;
}) {
  const id = (field: string) => `step-${step.key}-${field}`;
  const error = (field: string) => errors[`steps.${index}.${field}`];
  const text = (field: keyof StepDraft, label: string, props: { placeholder?: string; type?: string; spellCheck?: boolean } = {}) => (
    <Field
      id={id(field)}
      name={id(field)}
      label={label}
      value={step[field] ?? ""}
      onChange={(event) => change({ [field]: event.target.value })}
      error={error(field)}
      autoComplete="off"
      {...props}
    />
  );
  const area = (field: keyof StepDraft, label: string, hint: string) => (
    <div className="grid gap-1.5">
      <label htmlFor={id(field)} className="text-sm font-medium">
        {label}
      </label>
      <Textarea
        id={id(field)}
        value={step[field] ?? ""}
        onChange={(event) => change({ [field]: event.target.value })}
        aria-invalid={error(field) ? true : undefined}
        aria-describedby={`${id(field)}-hint${error(field) ? ` ${id(field)}-error` : ""}`}
        className="font-mono text-xs"
        spellCheck={false}
      />
      <p id={`${id(field)}-hint`} className="text-xs text-text-muted">
        {hint}
      </p>
      {error(field) ? (
        <p id={`${id(field)}-error`} className="text-sm text-danger">
          {error(field)}
        </p>
      ) : null}
    </div>
  );
  const select = (field: keyof StepDraft, label: string, options: ReadonlyArray<{ value: string; label: string }>) => (
    <NativeSelect
      label={label}
      name={id(field)}
      value={step[field] ?? ""}
      onChange={(event) => change({ [field]: event.target.value })}
      options={options}
      aria-invalid={error(field) ? true : undefined}
    />
  );

  switch (step.type) {
    case "agent":
      return (
        <>
          {select(
            "agent_id",
            "Agent",
            agents.map((agent) => ({ value: agent.id, label: agent.name })),
          )}
          {error("agent_id") ? <p className="text-sm text-danger">{error("agent_id")}</p> : null}
          {area(
            "prompt",
            "Prompt",
            "What the agent is asked; e.g. {{trigger.body.message}}. Later steps read its answer as {{steps.<id>.output.text}}.",
          )}
        </>
      );
    case "http":
      return (
        <>
          {select(
            "method",
            "Method",
            HTTP_STEP_METHODS.map((method) => ({ value: method, label: method })),
          )}
          {text("url", "URL", { placeholder: "https://example.com/hook", spellCheck: false })}
          {area(
            "headers",
            "Headers (optional)",
            "One per line, as Name: value; values may hold {{templates}}. Values are stored encrypted and shown as ********: leave that to keep one.",
          )}
          {step.method === "GET"
            ? null
            : area(
                "body",
                "JSON body (optional)",
                'Sent as JSON; every string in it is a template, e.g. {"reply": "{{steps.answer.output.text}}"}.',
              )}
        </>
      );
    case "condition":
      return (
        <>
          {text("field", "Field", { placeholder: "steps.answer.output.text", spellCheck: false })}
          {select(
            "operator",
            "Operator",
            CONDITION_OPERATORS.map((operator) => ({ value: operator, label: operator.replace("_", " ") })),
          )}
          {step.operator === "exists" ? null : text("value", "Value", { spellCheck: false })}
          {text("else_step", "When false, jump to step (empty: end the run)", { placeholder: "a later step's id", spellCheck: false })}
        </>
      );
    case "delay":
      return text("seconds", "Seconds to wait", { type: "number" });
  }
}

/**
 * The step list editor: add, remove and reorder steps, each with its own fields. The whole list
 * is checked in the browser with the API's own schemas before it is sent.
 */
export function AutomationEditor({
  automationId,
  name,
  steps: initialSteps,
  agents,
}: {
  /** Absent: a new automation. */
  automationId?: string;
  name: string;
  steps: AutomationStep[];
  agents: ReadonlyArray<{ id: string; name: string }>;
}) {
  const creating = automationId === undefined;
  const { state, errors, formAction, onSubmit, pending } = useActionForm(submitAutomationAction, AutomationForm);
  const [steps, setSteps] = useState<EditedStep[]>(() => initialSteps.map(draftOf));
  const [newType, setNewType] = useState<StepType>("agent");

  const change = (index: number, changes: Partial<StepDraft>) =>
    setSteps((current) => current.map((step, i) => (i === index ? { ...step, ...changes } : step)));
  const move = (index: number, by: -1 | 1) =>
    setSteps((current) => {
      const next = [...current];
      const [step] = next.splice(index, 1);
      next.splice(index + by, 0, step!);
      return next;
    });
  const remove = (index: number) => setSteps((current) => current.filter((_, i) => i !== index));
  const add = () =>
    setSteps((current) => [
      ...current,
      newDraft(
        newType,
        current.map((step) => step.id),
        agents,
      ),
    ]);

  const created = state.ok && state.result && "created" in state.result ? state.result.created : undefined;
  if (created) {
    return (
      <div className="grid gap-4">
        <Notice>
          Created “{created.name}” as a draft. Publish it to make its trigger run.{" "}
          <Link href={`/dashboard/automations/${created.id}`} className="font-medium underline">
            Open {created.name}
          </Link>
        </Notice>
        <SecretNotice
          title="Trigger secrets"
          secrets={[
            { label: "Trigger URL", value: created.triggerUrl, copyLabel: "Copy trigger URL", testId: "trigger-url" },
            {
              label: "Bearer secret (Authorization: Bearer …)",
              value: created.bearerSecret,
              copyLabel: "Copy bearer secret",
              testId: "bearer-secret",
            },
            {
              label: "Signing secret (Standard Webhooks)",
              value: created.signingSecret,
              copyLabel: "Copy signing secret",
              testId: "signing-secret",
            },
          ]}
        />
      </div>
    );
  }

  return (
    <form
      action={formAction}
      onSubmit={onSubmit}
      noValidate
      className="grid gap-5"
      aria-label={creating ? "New automation" : "Edit automation"}
    >
      {automationId ? <input type="hidden" name="id" value={automationId} /> : null}
      <input type="hidden" name="steps" value={serialized(steps)} />
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      {!creating && state.ok ? <Notice>Saved the draft. Publish it to make the trigger run these steps.</Notice> : null}
      <Field name="name" label="Name" defaultValue={state.values?.name ?? name} maxLength={200} error={errors.name} />
      <ol className="grid gap-4" aria-label="Steps">
        {steps.map((step, index) => (
          <li key={step.key}>
            <fieldset className="grid gap-3 rounded-md border border-border p-4" data-testid="step">
              <legend className="px-1 text-sm font-medium">
                Step {index + 1}: {STEP_LABELS[step.type]}
              </legend>
              <Field
                id={`step-${step.key}-id`}
                name={`step-${step.key}-id`}
                label="Step id"
                value={step.id}
                onChange={(event) => change(index, { id: event.target.value })}
                error={errors[`steps.${index}.id`]}
                autoComplete="off"
                spellCheck={false}
              />
              <StepFields step={step} index={index} errors={errors} agents={agents} change={(changes) => change(index, changes)} />
              <div className="flex flex-wrap gap-2">
                <Button type="button" variant="secondary" size="sm" disabled={index === 0} onClick={() => move(index, -1)}>
                  Move up<span className="sr-only"> step {step.id}</span>
                </Button>
                <Button type="button" variant="secondary" size="sm" disabled={index === steps.length - 1} onClick={() => move(index, 1)}>
                  Move down<span className="sr-only"> step {step.id}</span>
                </Button>
                <Button type="button" variant="ghost" size="sm" onClick={() => remove(index)}>
                  Remove<span className="sr-only"> step {step.id}</span>
                </Button>
              </div>
            </fieldset>
          </li>
        ))}
      </ol>
      {errors.steps ? <p className="text-sm text-danger">{errors.steps}</p> : null}
      <div className="flex flex-wrap items-end gap-2">
        <NativeSelect
          label="New step"
          name="new-step-type"
          value={newType}
          onChange={(event) => setNewType(event.target.value as StepType)}
          options={STEP_TYPES.map((type) => ({ value: type, label: STEP_LABELS[type] }))}
        />
        <Button type="button" variant="secondary" onClick={add} disabled={steps.length >= MAX_STEPS}>
          Add step
        </Button>
      </div>
      <Button type="submit" disabled={pending} className="w-fit">
        {pending ? "Saving…" : creating ? "Create automation" : "Save draft"}
      </Button>
    </form>
  );
}
