import type { IncomingMessage, ServerResponse } from "node:http";
import { pathToFileURL } from "node:url";
import { ApiError } from "@/lib/errors";
import { surfaceOf, type PathParams, type RouteModule } from "@/lib/surfaces";
import { sendFetchResponse, toFetchRequest } from "./node-bridge";
import { RouteTable } from "./route-table";

export { sendFetchResponse };

const METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];

function isRouteModule(exports: Record<string, unknown>): exports is RouteModule<PathParams> {
  return METHODS.every((method) => typeof exports[method] === "function");
}

export interface DirectRoutes {
  /** Serves the request and returns true, or returns false for Next.js to serve it. */
  serve(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
}

/**
 * The API's route modules served straight from Conduit's HTTP server. They are plain
 * `Request → Response` functions built on lib/surfaces, so Next.js's router, which costs about a
 * millisecond of CPU per request, adds nothing to them; the handlers, and so every door's
 * pipeline, are the very same code. Left to Next.js: pages, modules not built on a surface
 * (Auth.js's), methods no module exports, and paths that are not canonical.
 */
export function directApiRoutes(options: { mountPath: string; directory: string; origin: string }): DirectRoutes {
  const table = new RouteTable(options.mountPath, options.directory);
  const modules = new Map<string, Promise<RouteModule<PathParams> | null>>();
  const load = (file: string) => {
    let loaded = modules.get(file);
    if (!loaded) {
      loaded = import(pathToFileURL(file).href).then(
        (exports: Record<string, unknown>) => (isRouteModule(exports) ? exports : null),
        (error: unknown) => {
          // Next.js's own build of the route then serves it (or reports the same failure).
          console.error(`[conduit] loading ${file} failed:`, error);
          return null;
        },
      );
      modules.set(file, loaded);
    }
    return loaded;
  };

  return {
    async serve(request, response) {
      const method = request.method as Method;
      if (!METHODS.includes(method)) return false;
      const pathname = (request.url ?? "/").split("?")[0]!;
      const found = table.match(pathname);
      if (!found) return false;
      const routes = await load(found.file);
      if (!routes) return false;
      let fetchRequest: Request;
      try {
        fetchRequest = await toFetchRequest(request, response, options.origin);
      } catch {
        response.destroy(); // the client went away while sending its body
        return true;
      }
      let answer: Response;
      try {
        answer = await routes[method](fetchRequest, { params: Promise.resolve(found.params) });
      } catch (error) {
        // Surfaces answer every error themselves; reaching here is a bug, reported like theirs.
        console.error("[conduit] route failed:", error);
        answer = await surfaceOf(pathname).refuse(fetchRequest, new ApiError("INTERNAL", "Internal error"));
      }
      await sendFetchResponse(answer, response).catch((error: unknown) => {
        // Only a body that fails midway gets here: the status is out, so the connection is cut.
        console.error("[conduit] sending an answer failed:", error);
        response.destroy();
      });
      return true;
    },
  };
}
