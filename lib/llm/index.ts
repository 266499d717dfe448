import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { LanguageModelV3 } from "@ai-sdk/provider";
import { config } from "@/lib/config";
import { decryptSecret } from "@/lib/crypto";
import type { AiProvider } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import type { RequestTiming } from "@/lib/http/timing";
import { createGuardedFetch, createOutboundGuard, type GuardedFetch } from "@/lib/net";
import { createDemoModel, DEMO_MODEL_ID } from "./demo-model";

export { DEMO_MODEL_ID } from "./demo-model";
export { toModelError } from "./errors";

const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";
/** Far above any chat completion, streamed or not: only a runaway upstream reaches it. */
const MAX_PROVIDER_RESPONSE_BYTES = 32 * 1024 * 1024;

/** A provider URL the outbound guard refuses: the organisation's provider settings are at fault. */
class ProviderAddressRefused extends ApiError {
  constructor(message: string, options?: ErrorOptions) {
    super("BAD_REQUEST", `AI provider base_url refused. ${message}`, { cause: options?.cause });
  }
}

/**
 * Organisations' providers are reached like tools and webhooks: never on private, loopback or
 * metadata addresses (unless TOOL_ALLOWED_PRIVATE_HOSTS allows them), checked again at connect
 * time, since the provider's key travels in the request. The deployment's own OPENAI_BASE_URL is
 * the operator's choice and is trusted.
 */
const providerGuard = createOutboundGuard(ProviderAddressRefused);
const guardedProviderFetch: GuardedFetch = createGuardedFetch(providerGuard, {
  maxResponseBytes: MAX_PROVIDER_RESPONSE_BYTES,
  onOversized: () => undefined,
});

/** Refuses a provider base URL that is not an http(s) URL of an allowed address (a 400). */
export async function assertProviderUrlAllowed(baseUrl: string): Promise<void> {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ApiError("BAD_REQUEST", "base_url must be an absolute http(s) URL");
  }
  await providerGuard.assertAllowedUrl(url);
}

export interface ResolvedModel {
  model: LanguageModelV3;
  /** The model id as reported in responses and usage. */
  modelId: string;
}

/**
 * Wraps fetch so the time spent waiting on the provider (until its body is fully read) is
 * booked as model time; the rest of the request is the gateway's own overhead.
 */
function timedFetch(timing: RequestTiming, send: GuardedFetch): typeof fetch {
  return async (input, init) => {
    const endWait = timing.beginModelWait();
    let response: Response;
    try {
      response = await send(input instanceof Request ? input.url : input, init);
    } catch (error) {
      endWait();
      throw error;
    }
    if (!response.body) {
      endWait();
      return response;
    }
    const body = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ flush: endWait }));
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

function openAiCompatible(
  endpoint: { baseURL: string; apiKey: string | undefined; send: GuardedFetch },
  modelId: string,
  timing: RequestTiming,
): ResolvedModel {
  const provider = createOpenAICompatible({
    name: "openai-compatible",
    baseURL: endpoint.baseURL,
    apiKey: endpoint.apiKey,
    includeUsage: true,
    fetch: timedFetch(timing, endpoint.send),
  });
  return { model: provider.chatModel(modelId), modelId };
}

/** The demo model's own run time is its "model time", like a provider's. */
function timedDemoModel(timing: RequestTiming): ResolvedModel {
  const demo = createDemoModel();
  return {
    modelId: DEMO_MODEL_ID,
    model: {
      ...demo,
      doGenerate: async (options) => {
        const endWait = timing.beginModelWait();
        try {
          return await demo.doGenerate(options);
        } finally {
          endWait();
        }
      },
      doStream: async (options) => {
        const endWait = timing.beginModelWait();
        const { stream, ...rest } = await demo.doStream(options);
        return { ...rest, stream: stream.pipeThrough(new TransformStream({ flush: endWait })) };
      },
    },
  };
}

/**
 * The id of the model an agent runs on, as resolveModel picks it (without building the model),
 * e.g. to price a call before the run starts.
 */
export function modelIdFor(agent: { model: string | null }, provider: AiProvider | null): string {
  const env = config();
  if (provider) return provider.type === "demo" ? DEMO_MODEL_ID : (agent.model ?? provider.defaultModel ?? env.OPENAI_MODEL);
  if (env.OPENAI_BASE_URL || env.OPENAI_API_KEY) return agent.model && agent.model !== DEMO_MODEL_ID ? agent.model : env.OPENAI_MODEL;
  return DEMO_MODEL_ID;
}

/**
 * Picks the model for an agent: its own AI provider if it has one, else the deployment's
 * OpenAI-compatible endpoint from the environment, else the built-in offline demo model.
 */
export function resolveModel(
  agent: { model: string | null; publicId: string },
  provider: AiProvider | null,
  timing: RequestTiming,
  billingMode: "hosted" | "byok" = "hosted",
): ResolvedModel {
  const env = config();
  // BYOK organisations pay their provider directly: they never fall back to the deployment's model.
  if (billingMode === "byok" && (!provider || provider.type === "demo" || (!provider.apiKeyCiphertext && !provider.baseUrl))) {
    throw new ApiError(
      "PROVIDER_KEY_MISSING",
      `This organisation brings its own model keys, but agent ${agent.publicId} has no AI provider with a key`,
    );
  }
  if (provider) {
    if (provider.type === "demo") return timedDemoModel(timing);
    // Local servers (Ollama, vLLM…) need no key, but OpenAI itself does: say so instead of a 401 from upstream.
    if (!provider.apiKeyCiphertext && !provider.baseUrl) {
      throw new ApiError(
        "PROVIDER_KEY_MISSING",
        `AI provider ${provider.publicId} has no API key; set one with PUT /api/v1/ai-providers/${provider.publicId}`,
      );
    }
    const apiKey = provider.apiKeyCiphertext ? decryptSecret(provider.apiKeyCiphertext) : undefined;
    return openAiCompatible(
      { baseURL: provider.baseUrl ?? OPENAI_DEFAULT_BASE_URL, apiKey, send: guardedProviderFetch },
      modelIdFor(agent, provider),
      timing,
    );
  }
  if (env.OPENAI_BASE_URL || env.OPENAI_API_KEY) {
    return openAiCompatible(
      { baseURL: env.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL, apiKey: env.OPENAI_API_KEY, send: fetch },
      modelIdFor(agent, null),
      timing,
    );
  }
  return timedDemoModel(timing);
}

export function modelBackend(): "openai-compatible" | "demo" {
  const env = config();
  return env.OPENAI_BASE_URL || env.OPENAI_API_KEY ? "openai-compatible" : "demo";
}
