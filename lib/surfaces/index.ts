import { ApiError } from "@/lib/errors";
import { a2a } from "./a2a";
import { admin } from "./admin";
import { agentsApi } from "./agents-api";
import { automationTriggers } from "./automations";
import { channelCallbacks } from "./channels";
import { embed } from "./embed";
import { conduit } from "./conduit";
import { gateAgent, gateApprovalValidation } from "./gate-agent";
import { mcp } from "./mcp";
import { openAi, openAiEventStream } from "./openai";
import { sistava } from "./sistava";
import type { PathParams, RouteModule, Surface } from "./surface";
import { taskGateway } from "./task-gateway";

export type { PathParams, RouteModule };
export type { McpCaller } from "./mcp";
export {
  a2a,
  admin,
  agentsApi,
  automationTriggers,
  channelCallbacks,
  conduit,
  embed,
  gateAgent,
  gateApprovalValidation,
  mcp,
  openAi,
  sistava,
  taskGateway,
};
export { openAiEventStream };
/** Who may call a personal-token route, declared with the route. */
export { ANY_MEMBER, ANY_ROLE, OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";

const byPrefix = [conduit, sistava, agentsApi, taskGateway, gateAgent, admin, channelCallbacks, automationTriggers, embed, mcp, a2a, openAi]
  .flatMap((surface: Surface<unknown, object>) => surface.prefixes.map((prefix) => ({ prefix, surface })))
  .sort((a, b) => b.prefix.length - a.prefix.length);

/** The dialect a path belongs to: the longest prefix that matches whole segments. */
export function surfaceOf(pathname: string): Surface<unknown, object> {
  const owner = byPrefix.find(({ prefix }) => pathname === prefix || pathname.startsWith(`${prefix}/`));
  return owner?.surface ?? conduit;
}

const unknownPath = (request: Request, segment: { params: Promise<PathParams> }) =>
  surfaceOf(new URL(request.url).pathname).notFound(request, segment);

/** Every method of a path no route serves: a 404 in the envelope of the dialect owning the path. */
export const unknownApiPath: RouteModule<PathParams> = {
  GET: unknownPath,
  HEAD: unknownPath,
  OPTIONS: unknownPath,
  POST: unknownPath,
  PUT: unknownPath,
  PATCH: unknownPath,
  DELETE: unknownPath,
};

/** Whether a raw request path is valid percent-encoded UTF-8 (`%zz`, `%C0%80` and `%ED%A0%80` are not). */
export function isDecodablePath(rawPath: string): boolean {
  try {
    decodeURIComponent(rawPath);
    return true;
  } catch {
    return false;
  }
}

/**
 * The answer to a path Next.js could not decode, given before routing: a 400 in the envelope of
 * the dialect owning the path (Conduit's outside the API), with a request id like every answer.
 */
export function refuseUndecodablePath(request: Request): Promise<Response> {
  const error = new ApiError("BAD_REQUEST", "The request path is not valid percent-encoded UTF-8");
  return surfaceOf(new URL(request.url).pathname).refuse(request, error);
}
