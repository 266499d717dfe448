import { readdirSync } from "node:fs";
import path from "node:path";

type Segment = { kind: "static"; value: string } | { kind: "param"; name: string } | { kind: "rest"; name: string; optional: boolean };

export interface RouteFile {
  /** Absolute path of the `route.ts` file. */
  file: string;
  segments: readonly Segment[];
}

export interface RouteMatch {
  file: string;
  params: Record<string, string | string[]>;
}

/** Next.js's order among routes that match the same path: static, `[x]`, `[...x]`, `[[...x]]`. */
const RANK = { static: 0, param: 1, rest: 2, optionalRest: 3 } as const;
const rankOf = (segment: Segment) => (segment.kind === "rest" ? (segment.optional ? RANK.optionalRest : RANK.rest) : RANK[segment.kind]);

function parseSegment(folder: string): Segment | null {
  if (folder.startsWith("(") && folder.endsWith(")")) return null; // a route group adds no segment
  const optionalRest = /^\[\[\.\.\.(\w+)\]\]$/.exec(folder);
  if (optionalRest) return { kind: "rest", name: optionalRest[1]!, optional: true };
  const rest = /^\[\.\.\.(\w+)\]$/.exec(folder);
  if (rest) return { kind: "rest", name: rest[1]!, optional: false };
  const param = /^\[(\w+)\]$/.exec(folder);
  if (param) return { kind: "param", name: param[1]! };
  return { kind: "static", value: folder };
}

function findRouteFiles(dir: string, segments: Segment[]): RouteFile[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isFile() && /^route\.tsx?$/.test(entry.name)) return [{ file: path.join(dir, entry.name), segments }];
    if (!entry.isDirectory()) return [];
    const segment = parseSegment(entry.name);
    return findRouteFiles(path.join(dir, entry.name), segment ? [...segments, segment] : segments);
  });
}

function compareSpecificity(a: RouteFile, b: RouteFile): number {
  for (let index = 0; index < Math.max(a.segments.length, b.segments.length); index++) {
    const left = a.segments[index];
    const right = b.segments[index];
    if (!left || !right) return left ? 1 : -1; // the shorter route is the more specific one
    const byRank = rankOf(left) - rankOf(right);
    if (byRank !== 0) return byRank;
  }
  return 0;
}

function matchSegments(route: RouteFile, parts: readonly string[]): RouteMatch | null {
  const params: Record<string, string | string[]> = {};
  for (let index = 0; index < route.segments.length; index++) {
    const segment = route.segments[index]!;
    if (segment.kind === "rest") {
      const rest = parts.slice(index);
      if (rest.length === 0 && !segment.optional) return null;
      if (rest.length > 0) params[segment.name] = rest;
      return { file: route.file, params };
    }
    const part = parts[index];
    if (part === undefined) return null;
    if (segment.kind === "static" && segment.value !== part) return null;
    if (segment.kind === "param") params[segment.name] = part;
  }
  return parts.length === route.segments.length ? { file: route.file, params } : null;
}

/**
 * The route files under an app directory (e.g. `app/api`, mounted at `/api`), matched as Next.js
 * matches them: folders are segments, `(groups)` add none, the most specific route wins.
 */
export class RouteTable {
  private readonly routes: RouteFile[];

  constructor(
    private readonly mountPath: string,
    directory: string,
  ) {
    this.routes = findRouteFiles(directory, []).sort(compareSpecificity);
  }

  /**
   * The route for a canonical path under the mount: no percent-encoding, empty, `.` or `..`
   * segments, nor a trailing slash. Anything else is null, left to Next.js's own normalisation.
   */
  match(pathname: string): RouteMatch | null {
    if (pathname !== this.mountPath && !pathname.startsWith(`${this.mountPath}/`)) return null;
    if (pathname.includes("%")) return null;
    const parts = pathname === this.mountPath ? [] : pathname.slice(this.mountPath.length + 1).split("/");
    if (parts.some((part) => part === "" || part === "." || part === "..")) return null;
    for (const route of this.routes) {
      const found = matchSegments(route, parts);
      if (found) return found;
    }
    return null;
  }
}
