/**
 * Automations (`/api/automations…`, `/api/automation-runs…`, with a personal access token like
 * the rest of administration) and their webhook triggers (`/api/webhooks/automations/…`).
 */
import { emptyResponse, ok, operation, pathParam, queryParams, surfaces, type Paths } from "../operation";
import { ListAutomationRunsQuery } from "@/lib/automations/schemas";

const automationId = pathParam("id", "The automation's public ID (`aut_…`)");
const runId = pathParam("id", "The run's public ID (`atr_…`)");

export const automationPaths: Paths = {
  "/api/automations": {
    get: operation(surfaces.administration, "listAutomations", {
      tag: "automations",
      summary: "The organisation's automations",
      responses: { 200: ok("Automations (trigger secrets never included)", "AutomationListResponse") },
      errors: [401, 429],
    }),
    post: operation(surfaces.administration, "createAutomation", {
      tag: "automations",
      summary: "Create an automation as a draft, with its webhook trigger (owners and admins)",
      description:
        "The trigger's bearer secret (stored hashed) and Standard Webhooks signing secret (stored encrypted) are shown only in this response. Publish the automation to make its trigger run.",
      body: "CreateAutomationRequest",
      responses: { 201: ok("The automation, with the trigger's secrets", "CreateAutomationResponse") },
      errors: [400, 401, 413, 429],
    }),
  },
  "/api/automations/{id}": {
    get: operation(surfaces.administration, "getAutomation", {
      tag: "automations",
      summary: "One automation",
      parameters: [automationId],
      responses: { 200: ok("The automation", "AutomationResponse") },
      errors: [401, 404, 429],
    }),
    patch: operation(surfaces.administration, "updateAutomation", {
      tag: "automations",
      summary: "Rename, change the paying key, or save the draft's steps (owners and admins)",
      description: "The trigger keeps running the published snapshot until the automation is published again.",
      parameters: [automationId],
      body: "UpdateAutomationRequest",
      responses: { 200: ok("The automation", "AutomationResponse") },
      errors: [400, 401, 404, 413, 429],
    }),
    delete: operation(surfaces.administration, "deleteAutomation", {
      tag: "automations",
      summary: "Delete an automation and its run history (owners and admins)",
      parameters: [automationId],
      responses: { 204: emptyResponse("Deleted") },
      errors: [401, 404, 429],
    }),
  },
  "/api/automations/{id}/publish": {
    post: operation(surfaces.administration, "publishAutomation", {
      tag: "automations",
      summary: "Publish the draft: the trigger runs these steps from now on (owners and admins)",
      description: "Runs already queued or under way keep the steps they started with.",
      parameters: [automationId],
      responses: { 200: ok("The automation", "AutomationResponse") },
      errors: [400, 401, 404, 429],
    }),
  },
  "/api/automations/{id}/unpublish": {
    post: operation(surfaces.administration, "unpublishAutomation", {
      tag: "automations",
      summary: "Unpublish: the trigger answers 404 until the next publish (owners and admins)",
      parameters: [automationId],
      responses: { 200: ok("The automation", "AutomationResponse") },
      errors: [401, 404, 429],
    }),
  },
  "/api/automations/{id}/trigger-secret": {
    post: operation(surfaces.administration, "rotateAutomationTriggerSecret", {
      tag: "automations",
      summary: "Rotate the trigger's bearer and signing secrets (owners and admins)",
      description: "The new secrets are shown only in this response; the old ones stop working at once.",
      parameters: [automationId],
      responses: { 200: ok("The trigger and its new secrets", "AutomationTriggerSecretsResponse") },
      errors: [401, 404, 429],
    }),
  },
  "/api/automations/{id}/runs": {
    get: operation(surfaces.administration, "listAutomationRuns", {
      tag: "automations",
      summary: "The automation's runs, newest first",
      parameters: [automationId, ...queryParams(ListAutomationRunsQuery)],
      responses: { 200: ok("Runs", "AutomationRunListResponse") },
      errors: [401, 404, 429],
    }),
  },
  "/api/automation-runs/{id}": {
    get: operation(surfaces.administration, "getAutomationRun", {
      tag: "automations",
      summary: "One run: its payload and each step's rendered input, output, duration, error and attempts",
      parameters: [runId],
      responses: { 200: ok("The run", "AutomationRunResponse") },
      errors: [401, 404, 429],
    }),
  },
  "/api/automation-runs/{id}/rerun": {
    post: operation(surfaces.administration, "rerunAutomationRun", {
      tag: "automations",
      summary: "Run the same payload again as a new run (owners and admins)",
      description: "The new run follows the automation's current published steps; an unpublished automation answers 409.",
      parameters: [runId],
      responses: { 202: ok("Queued", "AutomationRunQueuedResponse") },
      errors: [401, 404, 409, 429],
    }),
  },
  "/api/webhooks/automations/{triggerId}": {
    post: operation(surfaces.automationTrigger, "triggerAutomation", {
      tag: "automationTriggers",
      summary: "Start a run of a published automation",
      description:
        "Authenticate with `Authorization: Bearer ats_…`, or sign with the trigger's Standard Webhooks secret (`webhook-id`, `webhook-timestamp`, `webhook-signature` over the raw body; five minutes' tolerance). The JSON body (at most 256 KB) is the run's `trigger.body`. Answers 202 at once; the run goes through the queue. A repeated `webhook-id` starts no second run and answers the first. Unknown triggers and unpublished automations are 404.",
      parameters: [pathParam("triggerId", "The trigger's public ID (`trg_…`), as in its URL")],
      bodyContent: { "application/json": { schema: {} } },
      responses: { 202: ok("Queued", "AutomationRunQueuedResponse") },
      errors: [400, 401, 404, 413, 415, 429],
    }),
  },
};
