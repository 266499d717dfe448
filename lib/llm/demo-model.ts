import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3StreamResult,
  LanguageModelV3Usage,
} from "@ai-sdk/provider";

/** The id under which the built-in offline demo model appears in responses and usage records. */
export const DEMO_MODEL_ID = "conduit-demo";

const MAX_ECHO_CHARS = 200;
const STREAM_PIECE_DELAY_MS = 15;

function lastUserText(prompt: LanguageModelV3Prompt): string {
  for (let i = prompt.length - 1; i >= 0; i--) {
    const message = prompt[i];
    if (message?.role !== "user") continue;
    return message.content
      .map((part) => (part.type === "text" ? part.text : ""))
      .join(" ")
      .trim();
  }
  return "";
}

/** Rough token count (about four characters a token), so usage and prices stay meaningful offline. */
function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function promptText(prompt: LanguageModelV3Prompt): string {
  return prompt
    .map((message) =>
      typeof message.content === "string"
        ? message.content
        : message.content.map((part) => ("text" in part && typeof part.text === "string" ? part.text : "")).join(" "),
    )
    .join("\n");
}

const clip = (text: string) => (text.length > MAX_ECHO_CHARS ? `${text.slice(0, MAX_ECHO_CHARS)}…` : text);

/** A numbered source as knowledge puts it in the system prompt: `[n] citation`, then its passage. */
const KNOWLEDGE_SOURCE = /^\[(\d+)\] (.+)\n([\s\S]*?)(?=\n\n\[\d+\] |$)/gm;

/** What the run's knowledge gave the model, so retrieval shows offline too: how many sources, and the first. */
function knowledgeNote(prompt: LanguageModelV3Prompt): string {
  const system = prompt.flatMap((message) => (message.role === "system" ? [message.content] : [])).join("\n\n");
  const sources = [...system.matchAll(KNOWLEDGE_SOURCE)];
  const first = sources[0];
  if (!first) return "";
  return `It was given ${sources.length} knowledge source${sources.length === 1 ? "" : "s"}; [1] ${first[2]} says: "${clip(first[3]!.trim())}". `;
}

function reply(prompt: LanguageModelV3Prompt): string {
  return (
    `Hello from Conduit's built-in offline demo model. You said: "${clip(lastUserText(prompt))}". ` +
    knowledgeNote(prompt) +
    "No AI provider is configured, so this answer was produced locally; set OPENAI_BASE_URL and " +
    "OPENAI_API_KEY (or give the agent an AI provider) to talk to a real model."
  );
}

function usageFor(prompt: LanguageModelV3Prompt, text: string): LanguageModelV3Usage {
  const input = estimateTokens(promptText(prompt));
  const output = estimateTokens(text);
  return {
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: output, reasoning: undefined },
  };
}

/** Waits between words; the abort listener goes when the wait does, so a long reply does not pile them up on the run's signal. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * A deterministic, offline language model: it needs no network and no key, so a fresh
 * install answers at once. It acknowledges the last user message and says how to configure a real model.
 */
export function createDemoModel(): LanguageModelV3 {
  return {
    specificationVersion: "v3",
    provider: "conduit",
    modelId: DEMO_MODEL_ID,
    supportedUrls: {},
    async doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
      const text = reply(options.prompt);
      return {
        content: [{ type: "text", text }],
        finishReason: { unified: "stop", raw: "stop" },
        usage: usageFor(options.prompt, text),
        warnings: [],
      };
    },
    async doStream(options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
      const text = reply(options.prompt);
      const pieces = text.match(/\S+\s*/g) ?? [text];
      const signal = options.abortSignal;
      const stream = new ReadableStream<LanguageModelV3StreamPart>({
        async start(controller) {
          try {
            controller.enqueue({ type: "stream-start", warnings: [] });
            controller.enqueue({ type: "text-start", id: "0" });
            for (const piece of pieces) {
              controller.enqueue({ type: "text-delta", id: "0", delta: piece });
              await sleep(STREAM_PIECE_DELAY_MS, signal);
            }
            controller.enqueue({ type: "text-end", id: "0" });
            controller.enqueue({
              type: "finish",
              finishReason: { unified: "stop", raw: "stop" },
              usage: usageFor(options.prompt, text),
            });
            controller.close();
          } catch (error) {
            controller.error(error);
          }
        },
      });
      return { stream };
    },
  };
}
