"use client";

import { Label } from "radix-ui";
import { useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { Textarea } from "@/components/ui/textarea";

/** One line of the chat door's NDJSON stream, as the try-it route sends it. */
type StreamLine =
  | { type: "delta"; content: string }
  | { type: "tool-call"; tool_call_id: string; tool_name: string; args: unknown }
  | { type: "tool-result"; tool_call_id: string; tool_name: string; result: unknown }
  | {
      type: "done";
      status: "completed" | "requires_action";
      generation_id: string;
      trace_id: string;
      model: string | null;
      usage: { total_tokens: number };
      tool_calls?: Array<{ tool_name: string; approval?: { thread_id: string } }>;
    }
  | { type: "error"; error: { code: string; message: string } };

type Item =
  | { kind: "user"; text: string }
  | { kind: "assistant"; text: string }
  | { kind: "tool-call"; id: string; name: string; args: unknown }
  | { kind: "tool-result"; id: string; name: string; result: unknown }
  | { kind: "status"; text: string; paused: boolean }
  | { kind: "error"; text: string };

const json = (value: unknown) => {
  const text = JSON.stringify(value, null, 2) ?? "null";
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
};

/** Applies one stream line to the conversation shown: deltas grow the last reply, tool activity shows as it happens. */
function apply(items: Item[], line: StreamLine): Item[] {
  const last = items.at(-1);
  switch (line.type) {
    case "delta":
      return last?.kind === "assistant"
        ? [...items.slice(0, -1), { kind: "assistant", text: last.text + line.content }]
        : [...items, { kind: "assistant", text: line.content }];
    case "tool-call":
      return [...items, { kind: "tool-call", id: line.tool_call_id, name: line.tool_name, args: line.args }];
    case "tool-result":
      return [...items, { kind: "tool-result", id: line.tool_call_id, name: line.tool_name, result: line.result }];
    case "done": {
      const paused = line.status === "requires_action";
      const waiting = (line.tool_calls ?? []).map((call) =>
        call.approval ? `${call.tool_name} (review ${call.approval.thread_id})` : `${call.tool_name} (client tool)`,
      );
      const text = paused
        ? `Paused: waiting for ${waiting.join(", ")}. Generation ${line.generation_id}.`
        : `Completed · ${line.model ?? "no model"} · ${line.usage.total_tokens} tokens · generation ${line.generation_id} · trace ${line.trace_id}`;
      return [...items, { kind: "status", text, paused }];
    }
    case "error":
      return [...items, { kind: "error", text: `${line.error.message} (${line.error.code})` }];
  }
}

/** The turns sent with the next message: the conversation so far, without tool activity or notes. */
function history(items: Item[]): Array<{ role: "user" | "assistant"; content: string }> {
  const turns: Array<{ role: "user" | "assistant"; content: string }> = [];
  for (const item of items) {
    if (item.kind === "user") turns.push({ role: "user", content: item.text });
    else if (item.kind === "assistant" && item.text) turns.push({ role: "assistant", content: item.text });
  }
  return turns;
}

/**
 * Chat with the agent through the real pipeline: the reply streams in token by token, tool calls
 * and their results appear as they happen. Runs count against the organisation's plan.
 */
export function TryPane({ agentId }: { agentId: string }) {
  const [items, setItems] = useState<Item[]>([]);
  const [message, setMessage] = useState("");
  const [running, setRunning] = useState(false);
  const abort = useRef<AbortController | null>(null);

  async function send(text: string) {
    const before = [...items, { kind: "user" as const, text }];
    setItems(before);
    setMessage("");
    setRunning(true);
    const controller = new AbortController();
    abort.current = controller;
    try {
      const response = await fetch(`/dashboard/agents/${agentId}/try`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ messages: history(before), stream: true }),
        signal: controller.signal,
      });
      if (!response.ok || !response.body) {
        const failure = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        setItems((current) => [
          ...current,
          { kind: "error", text: failure?.error?.message ?? `The agent could not run (HTTP ${response.status})` },
        ]);
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffered = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffered += value;
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) {
          if (line.trim() !== "") setItems((current) => apply(current, JSON.parse(line) as StreamLine));
        }
      }
    } catch (error) {
      const stopped = error instanceof DOMException && error.name === "AbortError";
      setItems((current) => [
        ...current,
        { kind: "error", text: stopped ? "Stopped." : "The connection was lost before the reply ended." },
      ]);
    } finally {
      abort.current = null;
      setRunning(false);
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = message.trim();
    if (text && !running) void send(text);
  }

  // Enter sends, Shift+Enter starts a new line (as in most chat boxes).
  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      event.currentTarget.form?.requestSubmit();
    }
  }

  return (
    <section aria-labelledby="try-heading" className="grid gap-4 rounded-lg border border-border bg-surface p-6 shadow-sm">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="try-heading" className="font-medium">
          Try it
        </h2>
        <Button type="button" variant="ghost" size="sm" onClick={() => setItems([])} disabled={running || items.length === 0}>
          Clear conversation
        </Button>
      </div>
      <div role="log" aria-label="Conversation" aria-busy={running} className="grid max-h-[32rem] gap-3 overflow-y-auto">
        {items.length === 0 ? (
          <p className="text-sm text-text-muted">Send a message to run the agent with its instructions, model and tools.</p>
        ) : (
          items.map((item, index) => <ItemView key={index} item={item} />)
        )}
      </div>
      <form onSubmit={onSubmit} className="grid gap-2">
        <Label.Root htmlFor="try-message" className="text-sm font-medium">
          Message
        </Label.Root>
        <Textarea
          id="try-message"
          rows={3}
          value={message}
          onChange={(event) => setMessage(event.target.value)}
          onKeyDown={onKeyDown}
          maxLength={32_000}
          placeholder="Ask the agent something (Enter sends, Shift+Enter for a new line)"
        />
        <div className="flex gap-2">
          <Button type="submit" disabled={running || message.trim() === ""}>
            {running ? "Running…" : "Send"}
          </Button>
          {running ? (
            <Button type="button" variant="secondary" onClick={() => abort.current?.abort()}>
              Stop
            </Button>
          ) : null}
        </div>
      </form>
    </section>
  );
}

function ItemView({ item }: { item: Item }) {
  switch (item.kind) {
    case "user":
      return (
        <div className="w-fit max-w-[85%] justify-self-end rounded-lg bg-accent px-3 py-2 text-sm whitespace-pre-wrap text-accent-foreground">
          <span className="sr-only">You: </span>
          {item.text}
        </div>
      );
    case "assistant":
      return (
        <div className="w-fit max-w-[85%] rounded-lg bg-surface-muted px-3 py-2 text-sm whitespace-pre-wrap">
          <span className="sr-only">Agent: </span>
          <span data-testid="try-reply">{item.text}</span>
        </div>
      );
    case "tool-call":
      return (
        <details className="rounded-md border border-border px-3 py-2 text-sm" data-testid="try-tool-call">
          <summary className="cursor-pointer">
            <Badge>tool call</Badge> <span className="font-mono">{item.name}</span>
          </summary>
          <pre className="mt-2 overflow-x-auto text-xs">{json(item.args)}</pre>
        </details>
      );
    case "tool-result":
      return (
        <details className="rounded-md border border-border px-3 py-2 text-sm" data-testid="try-tool-result">
          <summary className="cursor-pointer">
            <Badge tone="good">tool result</Badge> <span className="font-mono">{item.name}</span>
          </summary>
          <pre className="mt-2 overflow-x-auto text-xs">{json(item.result)}</pre>
        </details>
      );
    case "status":
      return (
        <p className="text-xs text-text-muted" data-testid="try-status">
          {item.paused ? <Badge tone="warn">paused</Badge> : null} {item.text}
        </p>
      );
    case "error":
      return (
        <Notice tone="error" className="w-fit">
          {item.text}
        </Notice>
      );
  }
}
