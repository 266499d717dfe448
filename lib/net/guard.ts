import dns from "node:dns";
import http, { type ClientRequest, type RequestOptions } from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { config } from "@/lib/config";
import { blockedLabel, isAddressAllowed, isHostAllowListed } from "./addresses";

/** The error a caller wants refusals reported as (tools: a ToolError the model is told about). */
export type OutboundErrorClass<E extends Error> = new (message: string, options?: ErrorOptions) => E;

/** Outgoing HTTP(S) that only connects to public addresses, or to ones TOOL_ALLOWED_PRIVATE_HOSTS allows. */
export interface OutboundGuard<E extends Error> {
  /** Builds the caller's error, for refusals and for calls built on the guard that are cut short. */
  error(message: string, options?: ErrorOptions): E;
  /**
   * Refuses non-http(s) URLs and hosts that resolve to disallowed addresses. Needed on top of
   * `lookup` because node:net skips the lookup for IP literals.
   */
  assertAllowedUrl(url: URL): Promise<void>;
  /**
   * A `lookup` for node:net/http/https that refuses disallowed addresses at connect time, so a host
   * name that passed `assertAllowedUrl` cannot be re-pointed at a private address (DNS rebinding).
   */
  lookup: LookupFunction;
  /** An HTTP(S) request that only connects where allowed: checked before and at connect time. */
  request(url: URL, options: RequestOptions): Promise<ClientRequest>;
}

const bareHostname = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, "$1");

/** Idle pooled sockets close after this: before the 5 s of Node's servers, the shortest common keep-alive. */
const IDLE_SOCKET_MS = 4_000;

export interface OutboundGuardOptions {
  /**
   * Reuse connections between requests (for many small requests to the same receivers, such as
   * webhooks): no TCP and TLS handshake per request. Off: one connection per request.
   */
  keepAlive?: boolean;
}

export function createOutboundGuard<E extends Error>(
  OutboundError: OutboundErrorClass<E>,
  options: OutboundGuardOptions = {},
): OutboundGuard<E> {
  /** The error for the first address of `host` that must not be reached, if any. */
  const refusal = (host: string, addresses: readonly string[]): E | undefined => {
    const allowList = config().TOOL_ALLOWED_PRIVATE_HOSTS;
    if (isHostAllowListed(host, allowList)) return undefined;
    const address = addresses.find((candidate) => !isAddressAllowed(candidate, allowList));
    if (address === undefined) return undefined;
    const target = address === host ? address : `${host} (${address})`;
    return new OutboundError(`Refusing to call ${target}: ${blockedLabel(address)} address (allow it with TOOL_ALLOWED_PRIVATE_HOSTS)`);
  };

  const lookup: LookupFunction = (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      const first = addresses?.[0];
      if (error || !first) {
        callback(error ?? new OutboundError(`Could not resolve ${hostname}`), []);
        return;
      }
      const refused = refusal(
        hostname,
        addresses.map(({ address }) => address),
      );
      if (refused) callback(refused, []);
      else if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };

  const resolve = async (host: string): Promise<string[]> => {
    if (isIP(host)) return [host];
    try {
      return (await dns.promises.lookup(host, { all: true })).map(({ address }) => address);
    } catch (error) {
      throw new OutboundError(`Could not resolve ${host}`, { cause: error });
    }
  };

  const assertAllowedUrl = async (url: URL): Promise<void> => {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new OutboundError(`Refusing to call ${url.protocol} URLs: only http: and https: are allowed`);
    }
    const host = bareHostname(url);
    if (isHostAllowListed(host, config().TOOL_ALLOWED_PRIVATE_HOSTS)) return;
    const refused = refusal(host, await resolve(host));
    if (refused) throw refused;
  };

  // This guard's own pools: each of their sockets was opened through `lookup` (or to an IP literal
  // assertAllowedUrl allowed), so reusing one reaches an allowed address; the shared global
  // agents' sockets could have been opened without the guard, and are never used.
  const pools = options.keepAlive
    ? {
        "http:": new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
        "https:": new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
      }
    : undefined;

  return {
    error: (message, errorOptions) => new OutboundError(message, errorOptions),
    assertAllowedUrl,
    lookup,
    async request(url, requestOptions) {
      await assertAllowedUrl(url);
      const secure = url.protocol === "https:";
      const agent = pools ? pools[secure ? "https:" : "http:"] : false;
      return (secure ? https : http).request(url, { ...requestOptions, lookup, agent });
    },
  };
}
