import { admin } from "./admin";
import { agentsApi } from "./agents-api";
import { conduit } from "./conduit";
import { gateAgent } from "./gate-agent";
import { sistava } from "./sistava";
import type { PathParams, RouteModule, Surface } from "./surface";
import { taskGateway } from "./task-gateway";

export { admin, agentsApi, conduit, gateAgent, sistava, taskGateway };
/** Who may call a personal-token route, declared with the route. */
export { ANY_MEMBER, OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";

const byPrefix = [conduit, sistava, agentsApi, taskGateway, gateAgent, admin]
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
