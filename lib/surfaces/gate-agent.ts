import { authenticateGateAgent, type GateCaller } from "@/lib/auth/gate-agent";
import { approvalValidationEnvelope, plainTextEnvelope } from "./envelopes";
import { defineSurface } from "./surface";

/**
 * Stacksona's gate, as its agents call it with `sg_` keys: errors in plain text, bodies up to
 * 16 MB because events carry base64 images. `polling: true` routes refuse agents without polling.
 */
export const gateAgent = defineSurface<GateCaller, { polling?: boolean }>({
  prefixes: ["/api/agent/tasks", "/api/agent/decisions", "/api/agent/approvals"],
  renderError: plainTextEnvelope,
  authenticate: authenticateGateAgent,
  rateLimitHeaders: (caller) => caller.rateLimitHeaders,
  maxBodyBytes: 16 * 1024 * 1024,
});

/**
 * The gate's `POST /api/agent/approvals/validate`, the one route whose refusals are JSON (the
 * seed's validation errors): the same keys as the gate, small bodies. Its path stays under the
 * gate's prefixes, so unknown paths next to it are the gate's plain-text 404s.
 */
export const gateApprovalValidation = defineSurface<GateCaller>({
  prefixes: [],
  renderError: approvalValidationEnvelope,
  authenticate: (request, context) => authenticateGateAgent(request, context),
  rateLimitHeaders: (caller) => caller.rateLimitHeaders,
});
