import { authenticateApiKey, type ApiKeyAuth } from "@/lib/auth";
import { ApiError } from "@/lib/errors";
import { agentsApiEnvelope } from "./envelopes";
import { defineSurface } from "./surface";

/**
 * The Agents API (SOAT): a project is an organisation, reached with an API key. Managing
 * agents, tools, providers and knowledge (`manage: true`) needs a key that is not limited to some
 * agents; such a key reads only the knowledge its agents use (lib/knowledge's knowledgeScopeOfKey).
 */
export const agentsApi = defineSurface<ApiKeyAuth, { manage?: boolean }>({
  prefixes: ["/api/v1/agents", "/api/v1/ai-providers", "/api/v1/documents", "/api/v1/memories"],
  renderError: agentsApiEnvelope,
  authenticate: async (request, context, { manage }) => {
    const auth = await authenticateApiKey(request, context);
    if (manage && auth.key.agentIds !== null) {
      throw new ApiError("FORBIDDEN", "This API key is limited to some agents and cannot manage the project", {
        headers: auth.rateLimitHeaders,
      });
    }
    return auth;
  },
  rateLimitHeaders: (auth) => auth.rateLimitHeaders,
});
