import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { EmbeddingModelV3, LanguageModelV3 } from "@ai-sdk/provider";
import { config } from "@/lib/config";
import { decryptSecret } from "@/lib/crypto";
import type { AiProvider } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import type { RequestTiming } from "@/lib/http/timing";
import { createGuardedFetch, createOutboundGuard, type GuardedFetch } from "@/lib/net";
import { createDemoModel, DEMO_MODEL_ID } from "./demo-model";

export { DEMO_MODEL_ID } from "./demo-model";
export { refusedInput, toModelError } from "./errors";

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
 * Books the time spent in the model's calls as model time (for a stream, until it is fully
 * read); the rest of the request is the gateway's own overhead.
 */
function timedModel(model: LanguageModelV3, timing: RequestTiming): LanguageModelV3 {
  return {
    specificationVersion: model.specificationVersion,
    provider: model.provider,
    modelId: model.modelId,
    supportedUrls: model.supportedUrls,
    doGenerate: async (options) => {
      const endWait = timing.beginModelWait();
      try {
        return await model.doGenerate(options);
      } finally {
        endWait();
      }
    },
    doStream: async (options) => {
      const endWait = timing.beginModelWait();
      try {
        const { stream, ...rest } = await model.doStream(options);
        return { ...rest, stream: stream.pipeThrough(new TransformStream({ flush: endWait })) };
      } catch (error) {
        endWait();
        throw error;
      }
    },
  };
}

/** The built-in offline model, its run time booked as model time like a provider's. */
const demoModel = (timing: RequestTiming): ResolvedModel => ({ modelId: DEMO_MODEL_ID, model: timedModel(createDemoModel(), timing) });

/** An OpenAI-compatible endpoint: an organisation's AI provider, or the deployment's own. */
interface Endpoint {
  baseURL: string;
  apiKey: () => string | undefined;
  /** Names the key in the built models' cache (encrypted, for an organisation's provider). */
  keyVersion: string;
  send: GuardedFetch;
}

function providerEndpoint(provider: AiProvider): Endpoint {
  const ciphertext = provider.apiKeyCiphertext;
  return {
    baseURL: provider.baseUrl ?? OPENAI_DEFAULT_BASE_URL,
    apiKey: () => (ciphertext ? decryptSecret(ciphertext) : undefined),
    keyVersion: ciphertext ?? "",
    send: guardedProviderFetch,
  };
}

function environmentEndpoint(): Endpoint {
  const env = config();
  return {
    baseURL: env.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL,
    apiKey: () => env.OPENAI_API_KEY,
    keyVersion: "environment",
    send: fetch,
  };
}

/** Enough for every provider, key and model in use at once; the oldest goes first past it. */
const MAX_BUILT_MODELS = 1_000;
const builtModels = new Map<string, LanguageModelV3>();
const builtEmbeddingModels = new Map<string, EmbeddingModelV3>();

/**
 * Building a provider's model compiles its request and response schemas, which costs more than
 * a whole gateway request should: each endpoint, key and model is built once per process. The
 * key is part of the entry's name, so a changed key builds a new one.
 */
function builtOnce<M>(
  built: Map<string, M>,
  endpoint: Endpoint,
  modelId: string,
  make: (provider: ReturnType<typeof createOpenAICompatible>) => M,
): M {
  const name = JSON.stringify([endpoint.baseURL, endpoint.keyVersion, modelId]);
  let model = built.get(name);
  if (!model) {
    model = make(
      createOpenAICompatible({
        name: "openai-compatible",
        baseURL: endpoint.baseURL,
        apiKey: endpoint.apiKey(),
        includeUsage: true,
        fetch: (input, init) => endpoint.send(input instanceof Request ? input.url : input, init),
      }),
    );
    built.set(name, model);
    if (built.size > MAX_BUILT_MODELS) built.delete(built.keys().next().value!);
  }
  return model;
}

const openAiCompatible = (endpoint: Endpoint, modelId: string) => builtOnce(builtModels, endpoint, modelId, (p) => p.chatModel(modelId));

export interface ResolvedEmbeddingModel {
  model: EmbeddingModelV3;
  /** Stored beside each embedding: only embeddings of the same model are compared. */
  modelId: string;
}

/**
 * The embeddings model of an organisation's AI provider (through the same outbound guard as its
 * chat model), or of the deployment's endpoint with EMBEDDING_MODEL (never for BYOK
 * organisations, like chat models); null: none configured.
 */
export function resolveEmbeddingModel(provider: AiProvider | null, billingMode: "hosted" | "byok"): ResolvedEmbeddingModel | null {
  const env = config();
  const chosen =
    provider?.embeddingModel && provider.type === "openai_compatible"
      ? { endpoint: providerEndpoint(provider), modelId: provider.embeddingModel }
      : billingMode === "hosted" && env.EMBEDDING_MODEL && (env.OPENAI_BASE_URL || env.OPENAI_API_KEY)
        ? { endpoint: environmentEndpoint(), modelId: env.EMBEDDING_MODEL }
        : null;
  if (!chosen) return null;
  const { endpoint, modelId } = chosen;
  return { model: builtOnce(builtEmbeddingModels, endpoint, modelId, (p) => p.embeddingModel(modelId)), modelId };
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
    if (provider.type === "demo") return demoModel(timing);
    // Local servers (Ollama, vLLM…) need no key, but OpenAI itself does: say so instead of a 401 from upstream.
    if (!provider.apiKeyCiphertext && !provider.baseUrl) {
      throw new ApiError(
        "PROVIDER_KEY_MISSING",
        `AI provider ${provider.publicId} has no API key; set one with PUT /api/v1/ai-providers/${provider.publicId}`,
      );
    }
    const modelId = modelIdFor(agent, provider);
    return { modelId, model: timedModel(openAiCompatible(providerEndpoint(provider), modelId), timing) };
  }
  if (env.OPENAI_BASE_URL || env.OPENAI_API_KEY) {
    const modelId = modelIdFor(agent, null);
    return { modelId, model: timedModel(openAiCompatible(environmentEndpoint(), modelId), timing) };
  }
  return demoModel(timing);
}

export function modelBackend(): "openai-compatible" | "demo" {
  const env = config();
  return env.OPENAI_BASE_URL || env.OPENAI_API_KEY ? "openai-compatible" : "demo";
}
