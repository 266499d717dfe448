import type { z } from "zod";
import { getDb, type Db } from "@/lib/db";
import { ApiError, toApiError } from "@/lib/errors";
import {
  assertStorableText,
  foreignPageOrigin,
  MAX_BODY_BYTES,
  parseInput,
  queryObject,
  readJsonBody,
  requestContext,
  type RequestContext,
} from "@/lib/http";
import type { ErrorRenderer } from "./envelopes";

/** Methods a route may implement; HEAD follows GET and OPTIONS is answered from the list. */
const ROUTE_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type RouteMethod = (typeof ROUTE_METHODS)[number];
type HttpMethod = RouteMethod | "HEAD" | "OPTIONS";

/** Path parameters as Next.js passes them (catch-all segments are arrays). */
export type PathParams = Record<string, string | string[]>;
type NoParams = Record<string, never>;

/** A route handler as Next.js calls it. */
export type RouteHandler<P extends PathParams = NoParams> = (request: Request, segment: { params: Promise<P> }) => Promise<Response>;

/** What every handler of every surface exports: a handler (or a 405) for each method. */
export type RouteModule<P extends PathParams = NoParams> = Record<HttpMethod, RouteHandler<P>>;

export interface InputSchemas {
  /** The JSON body's schema; without one the body is not read. */
  body?: z.ZodType;
  /** An empty body reads as `{}`: for bodies whose every field is optional. */
  bodyOptional?: boolean;
  /** The query string's schema; validated like a body, with the same error codes. */
  query?: z.ZodType;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<Auth, O extends InputSchemas, P> {
  auth: Auth;
  body: Parsed<O["body"]>;
  query: Parsed<O["query"]>;
  params: P;
  db: Db;
  request: Request;
  context: RequestContext;
}

/** A plain value is answered as JSON 200; a Response (streams, 201, 202, 204, …) is sent as it is. */
export type RouteResult = Response | object;

export interface SurfaceSpec<Auth, Options extends object> {
  /** URL prefixes this dialect owns: unknown paths under them are answered in its envelope. */
  prefixes: readonly string[];
  renderError: ErrorRenderer;
  /** Runs before anything else a route does; throws for callers who may not use it. */
  authenticate: (request: Request, context: RequestContext, options: Options) => Promise<Auth>;
  /** The caller's rate-limit headers, sent on every response after authentication, errors too. */
  rateLimitHeaders?: (auth: Auth) => Record<string, string>;
  /** Largest JSON body accepted; 64 KB unless the dialect needs more. */
  maxBodyBytes?: number;
  /**
   * Which other sites' pages may call this dialect from a browser (CORS). Without it, such a call
   * to an authenticated route is refused before its credentials are read: they are secrets, and a
   * secret in a web page is published to everyone who opens it.
   */
  pagesAllowed?: (origin: string) => Promise<boolean>;
}

/** Headers a page's script may read besides the CORS-safelisted ones. */
const EXPOSED_HEADERS = "Retry-After, X-Request-Id";
/** Request headers a page may send: JSON bodies and Bearer tokens. */
const ALLOWED_REQUEST_HEADERS = "Authorization, Content-Type";
const PREFLIGHT_MAX_AGE_SECONDS = "600";

export interface Surface<Auth, Options extends object> {
  readonly prefixes: readonly string[];
  /** An authenticated route: the caller, then the query and body, checked before the handler runs. */
  route<const O extends Options & InputSchemas, P extends PathParams = NoParams>(
    options: O,
    handler: (input: RouteInput<Auth, O, P>) => Promise<RouteResult>,
  ): RouteHandler<P>;
  /** A route anyone may call (liveness, the API description); errors still use the surface's envelope. */
  publicRoute<const O extends InputSchemas, P extends PathParams = NoParams>(
    options: O,
    handler: (input: Omit<RouteInput<never, O, P>, "auth">) => Promise<RouteResult>,
  ): RouteHandler<P>;
  /** A route module's exports: the given methods, HEAD and OPTIONS, and a 405 with `Allow` for the rest. */
  methods<P extends PathParams = NoParams>(handlers: Partial<Record<RouteMethod, RouteHandler<P>>>): RouteModule<P>;
  /** The 404 for a path under this surface's prefixes that no route serves. */
  notFound: RouteHandler<PathParams>;
  /** A request refused before routing, answered like a route's error (envelope, request id, timing). */
  refuse(request: Request, error: ApiError): Promise<Response>;
}

const pathOf = (request: Request) => new URL(request.url).pathname;

function refuseForeignPages(request: Request): void {
  if (foreignPageOrigin(request) === null) return;
  throw new ApiError(
    "FORBIDDEN",
    "This API takes secret credentials, which must never be sent from a web page: call it from your server, or use a publishable widget key (pk_…) with /api/embed",
  );
}

/**
 * Lets the page that sent the request read the answer, when its origin is allowed. The answer
 * depends on the Origin header, so caches must keep one copy per origin.
 */
async function allowPageToRead(request: Request, headers: Headers, pagesAllowed: (origin: string) => Promise<boolean>): Promise<void> {
  headers.append("Vary", "Origin");
  const origin = foreignPageOrigin(request);
  // Unable to tell (the database is away): the page is simply not let in.
  if (origin === null || !(await pagesAllowed(origin).catch(() => false))) return;
  headers.set("Access-Control-Allow-Origin", origin);
  headers.set("Access-Control-Expose-Headers", EXPOSED_HEADERS);
}

/**
 * Declares an API dialect once: how its callers authenticate, how its errors look, how large
 * its bodies may be. Every route of the surface gets a request id, Server-Timing, the caller's
 * rate-limit headers on success and error alike, and one error path: handlers throw ApiError for
 * anything the caller did wrong; anything else is logged and answered as a generic 500.
 */
export function defineSurface<Auth, Options extends object = Record<never, never>>(
  spec: SurfaceSpec<Auth, Options>,
): Surface<Auth, Options> {
  type Run<P> = (
    request: Request,
    context: RequestContext,
    params: P,
    reportRateLimit: (headers: Record<string, string>) => void,
  ) => Promise<RouteResult>;

  function handle<P extends PathParams>(run: Run<P>): RouteHandler<P> {
    return async (request, segment) => {
      const context = requestContext(request);
      let rateLimitHeaders: Record<string, string> = {};
      let response: Response;
      try {
        const result = await run(request, context, await segment.params, (headers) => (rateLimitHeaders = headers));
        response = result instanceof Response ? result : Response.json(result);
      } catch (error) {
        response = spec.renderError(toApiError(error, context.requestId), context);
      }
      // A 429's own counts (and anything else a response set itself) win over the caller's.
      for (const [name, value] of Object.entries(rateLimitHeaders)) {
        if (!response.headers.has(name)) response.headers.set(name, value);
      }
      response.headers.set("X-Request-Id", context.requestId);
      if (!response.headers.has("Server-Timing")) response.headers.set("Server-Timing", context.timing.header());
      if (spec.pagesAllowed) await allowPageToRead(request, response.headers, spec.pagesAllowed);
      return response;
    };
  }

  /**
   * Every piece of caller input passes here, once: text no database column can hold is refused
   * before any schema or handler sees it, whatever the route does with it.
   */
  async function parseInputs<O extends InputSchemas>(request: Request, options: O, params: PathParams) {
    assertStorableText(params, "path");
    const rawQuery = queryObject(request.url);
    assertStorableText(rawQuery, "query");
    // The casts only name what the schemas just produced.
    const query = (options.query ? parseInput(options.query, rawQuery, "query") : undefined) as Parsed<O["query"]>;
    let body: Parsed<O["body"]> = undefined as Parsed<O["body"]>;
    if (options.body) {
      const raw = await readJsonBody(request, spec.maxBodyBytes ?? MAX_BODY_BYTES, { emptyIsObject: options.bodyOptional });
      assertStorableText(raw);
      body = parseInput(options.body, raw) as Parsed<O["body"]>;
    }
    return { query, body };
  }

  return {
    prefixes: spec.prefixes,

    route(options, handler) {
      return handle(async (request, context, params, reportRateLimit) => {
        if (!spec.pagesAllowed) refuseForeignPages(request);
        const auth = await spec.authenticate(request, context, options);
        if (spec.rateLimitHeaders) reportRateLimit(spec.rateLimitHeaders(auth));
        const { query, body } = await parseInputs(request, options, params);
        return handler({ auth, body, query, params, db: await getDb(), request, context });
      });
    },

    publicRoute(options, handler) {
      return handle(async (request, context, params) => {
        const { query, body } = await parseInputs(request, options, params);
        return handler({ body, query, params, db: await getDb(), request, context });
      });
    },

    methods<P extends PathParams>(handlers: Partial<Record<RouteMethod, RouteHandler<P>>>): RouteModule<P> {
      const implemented = ROUTE_METHODS.filter((method) => handlers[method]);
      const allow = [...implemented, ...(handlers.GET ? ["HEAD"] : []), "OPTIONS"].sort().join(", ");
      const notAllowed = handle<P>(async (request) => {
        throw new ApiError("METHOD_NOT_ALLOWED", `${request.method} is not allowed on ${pathOf(request)}; allowed: ${allow}`, {
          headers: { Allow: allow },
        });
      });
      const preflight: Record<string, string> = spec.pagesAllowed
        ? {
            "Access-Control-Allow-Methods": implemented.join(", "),
            "Access-Control-Allow-Headers": ALLOWED_REQUEST_HEADERS,
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE_SECONDS,
          }
        : {};
      // A preflight is answered with the methods; whether the page may go on is Access-Control-Allow-Origin's to say.
      const options = handle<P>(async () => new Response(null, { status: 204, headers: { Allow: allow, ...preflight } }));
      return {
        GET: handlers.GET ?? notAllowed,
        HEAD: handlers.GET ?? notAllowed,
        OPTIONS: options,
        POST: handlers.POST ?? notAllowed,
        PUT: handlers.PUT ?? notAllowed,
        PATCH: handlers.PATCH ?? notAllowed,
        DELETE: handlers.DELETE ?? notAllowed,
      };
    },

    notFound: handle(async (request) => {
      throw new ApiError("NOT_FOUND", `No API route for ${request.method} ${pathOf(request)}`);
    }),

    refuse: (request, error) =>
      handle(async () => {
        throw error;
      })(request, { params: Promise.resolve({}) }),
  };
}
