import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import type { ProxyTrust } from '../../config/proxy-trust.ts';
import type { RequestFacts } from '../../core/request-facts.ts';

/**
 * Which proxy asks: that decides which headers carry the original request, never a guess from the
 * headers present (a client can add any header, and nginx and Traefik pass them on to Keygate).
 * - nginx: X-Original-URI / X-Original-Method (the README's `proxy_set_header`s); the client address
 *   from X-Real-IP when the peer is a trusted proxy.
 * - traefik: X-Forwarded-Uri / X-Forwarded-Method, which Traefik writes itself; the address from
 *   X-Forwarded-For, walked from the right through trusted proxies.
 * - envoy: ext_authz appends the original path and query to the address; the method is the request's.
 * - none: the request is the original (a client or script asking about itself).
 */
export type ForwardAuthProxy = 'nginx' | 'traefik' | 'envoy' | 'none';

/**
 * A forward-auth call as either HTTP front end hands it over (the Fastify route, or the node:http
 * fast path for calls without a body): nothing here depends on the framework that parsed it.
 */
export interface ForwardAuthCall {
  readonly method: string;
  /** The request target exactly as received: path and query, no percent-decoding. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The query of the address, parsed by the one parser both front ends use (fast-querystring). */
  readonly query: Readonly<Record<string, string | string[] | undefined>>;
  /** The socket's peer address. */
  readonly peer: string | undefined;
  /** The client address from the trusted X-Forwarded-For walk; computed only when asked for. */
  clientIp(): string | undefined;
  /** The body a proxy passed along (Envoy's with_request_body), as text. */
  readonly body?: string;
}

/** Headers that carry the original request for one proxy and never for the others. */
const ORIGINAL_HEADERS: Record<'nginx' | 'traefik', { uri: string; method: string }> = {
  nginx: { uri: 'x-original-uri', method: 'x-original-method' },
  traefik: { uri: 'x-forwarded-uri', method: 'x-forwarded-method' },
};

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The client address a proxy reported: X-Real-IP only when the socket's peer is a trusted proxy (and
 * it is one plain address), otherwise what the trusted X-Forwarded-For walk gives.
 */
function clientAddress(call: ForwardAuthCall, trust: ProxyTrust, believeRealIp: boolean): string | undefined {
  if (believeRealIp) {
    const realIp = single(call.headers['x-real-ip'])?.trim();
    if (realIp && isIP(realIp) !== 0 && call.peer !== undefined && trust(call.peer, 0)) return realIp;
  }
  return call.clientIp();
}

/**
 * The request a proxy is about to forward, as that proxy reports it. `envoyPrefix` is the route's
 * prefix that Envoy's path is appended to: the rest of the raw URL is the original path and query
 * exactly as sent (no percent-decoding), which is what a signature covers.
 */
export function forwardedRequest(proxy: ForwardAuthProxy, call: ForwardAuthCall, trust: ProxyTrust, envoyPrefix = ''): RequestFacts {
  const headers = call.headers as Record<string, string | undefined>;
  let method = call.method;
  let url = call.url;
  if (proxy === 'nginx' || proxy === 'traefik') {
    const names = ORIGINAL_HEADERS[proxy];
    method = single(headers[names.method])?.trim().toUpperCase() || method;
    url = single(headers[names.uri]) ?? url;
  } else if (proxy === 'envoy') {
    const rest = url.startsWith(envoyPrefix) ? url.slice(envoyPrefix.length) : url;
    url = rest === '' || rest.startsWith('?') ? `/${rest}` : rest;
  }
  return { method, url, headers, body: call.body, ip: clientAddress(call, trust, proxy === 'nginx') };
}

/** The proxies whose original-request headers must not reach an address that reads `proxy`'s. */
const FOREIGN_PROXIES: Record<ForwardAuthProxy, ReadonlyArray<'nginx' | 'traefik'>> = {
  nginx: ['traefik'],
  traefik: ['nginx'],
  envoy: ['nginx', 'traefik'],
  none: [],
};

/**
 * True when a request carries the original-request headers of a proxy this address does not read:
 * Traefik's X-Forwarded-Uri at a /v1/auth that reads nginx's, or nginx's or Traefik's at an Envoy
 * address. Refused, so a misdirected proxy fails closed: a Traefik still pointed at /v1/auth after an
 * upgrade, or an nginx or Traefik pointed at a near miss of its own address (`/v1/auth/nginx/`,
 * `/v1/auth/`, `/v1/auth/Traefik`), which falls under Envoy's older prefix `/v1/auth/*`, where the
 * query is the client's and its `?permission=` never counts: the operator's requirement would
 * silently be dropped. Envoy passes neither header (its `allowed_headers` do not list them).
 */
export function carriesOtherProxyHeaders(proxy: ForwardAuthProxy, call: ForwardAuthCall): boolean {
  for (const other of FOREIGN_PROXIES[proxy]) {
    const names = ORIGINAL_HEADERS[other];
    if (call.headers[names.uri] !== undefined || call.headers[names.method] !== undefined) return true;
  }
  return false;
}

/** What the address an nginx or Traefik calls may carry in its query: the operator's settings. */
const ADDRESS_PARAMETERS = new Set(['permission', 'body']);

/**
 * The query parameters of the address nginx or Traefik calls that Keygate does not read, e.g. a
 * `?permissions=trade` or `?Permission=trade` typo. Refused, because ignoring one would silently drop
 * the requirement the operator meant. Only when the proxy reports the original URI (as nginx with the
 * README's snippet and Traefik always do): without it the address is itself the original request,
 * whose query may carry anything (`api_key=`). Envoy's query and that of `none` are the original request's.
 */
export function unknownAddressParameters(proxy: ForwardAuthProxy, call: ForwardAuthCall): string[] {
  if (proxy !== 'nginx' && proxy !== 'traefik') return [];
  if (call.headers[ORIGINAL_HEADERS[proxy].uri] === undefined) return [];
  return Object.keys(call.query).filter((name) => !ADDRESS_PARAMETERS.has(name));
}

const NONE: readonly string[] = Object.freeze([]);

/** A header or query value that may repeat, as a list. */
function valuesOf(value: string | string[] | undefined): readonly string[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/**
 * The permissions the operator requires, each non-empty value counted: `?permission=` of the
 * address the proxy calls and the X-Keygate-Permission header. For Envoy the query belongs to the
 * client's own URL, so only the header (set with ext_authz `headers_to_add`) counts. An empty value
 * never cancels another.
 */
export function requiredPermissions(proxy: ForwardAuthProxy, call: ForwardAuthCall): readonly string[] {
  const fromQuery = proxy === 'envoy' ? undefined : call.query.permission;
  const fromHeader = call.headers['x-keygate-permission'];
  // Most checks ask for no permission: nothing is allocated for them.
  if (fromQuery === undefined && fromHeader === undefined) return NONE;
  const values = [...valuesOf(fromQuery), ...valuesOf(fromHeader)];
  const wanted = values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
  return [...new Set(wanted)];
}
