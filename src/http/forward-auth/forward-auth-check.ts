import type { FastifyBaseLogger } from 'fastify';
import type { ProxyTrust } from '../../config/proxy-trust.ts';
import { findOpaqueKey } from '../../schemes/opaque-scheme.ts';
import type { RequestFacts } from '../../core/request-facts.ts';
import type { Verdict } from '../../core/verdict.ts';
import type { Verifier } from '../../verify/verifier.ts';
import { badRequestAnswer, forwardAuthAnswer, type ForwardAuthResult } from './forward-auth-answer.ts';
import { carriesOtherProxyHeaders, forwardedRequest, requiredPermissions, unknownAddressParameters, type ForwardAuthCall, type ForwardAuthProxy } from './forwarded-request.ts';

/** One forward-auth address: the proxy whose headers it reads, and how. */
export interface ForwardAuthAddress {
  /** The route URL (Fastify syntax: a trailing `*` takes the rest of the path). */
  readonly url: string;
  readonly proxy: ForwardAuthProxy;
  /** GET /v1/auth, reading the headers of `forwardAuth.proxy`; refuses another proxy's headers. */
  readonly generic: boolean;
  /** Envoy: the prefix its ext_authz appends the original path and query to. */
  readonly envoyPrefix: string;
  readonly summary: string;
  /** Left out of the OpenAPI document (older or catch-all forms). */
  readonly hidden: boolean;
}

export const ENVOY_PREFIX = '/v1/auth/envoy';

/** The methods a forward-auth address answers: a proxy asks with the original request's method. */
export const FORWARD_AUTH_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Every forward-auth address, in one table that the Fastify routes and the node:http fast path both
 * read: GET /v1/auth/nginx, /v1/auth/traefik, /v1/auth/envoy/* each read their own proxy's headers;
 * GET /v1/auth reads those of `forwardAuth.proxy`.
 */
export function forwardAuthAddresses(generic: ForwardAuthProxy): readonly ForwardAuthAddress[] {
  const address = (url: string, proxy: ForwardAuthProxy, summary: string, extra: Partial<ForwardAuthAddress> = {}): ForwardAuthAddress => ({ url, proxy, summary, generic: false, envoyPrefix: '', hidden: false, ...extra });
  return [
    address('/v1/auth', generic, `Forward-auth reading the headers of forwardAuth.proxy (${generic})`, { generic: true }),
    address('/v1/auth/nginx', 'nginx', 'Forward-auth for nginx auth_request: X-Original-URI, X-Original-Method, X-Real-IP'),
    address('/v1/auth/traefik', 'traefik', 'Forward-auth for Traefik ForwardAuth: X-Forwarded-Uri, X-Forwarded-Method, X-Forwarded-For'),
    // Envoy's ext_authz appends the original path and query to its path_prefix.
    address(ENVOY_PREFIX, 'envoy', 'Forward-auth for Envoy ext_authz (path_prefix /v1/auth/envoy)', { envoyPrefix: ENVOY_PREFIX }),
    address(`${ENVOY_PREFIX}/*`, 'envoy', 'Envoy ext_authz, original path appended', { envoyPrefix: ENVOY_PREFIX, hidden: true }),
    // Before per-proxy paths, Envoy was pointed at path_prefix /v1/auth: such calls keep Envoy's rules.
    address('/v1/auth/*', 'envoy', 'Envoy ext_authz with the older path_prefix /v1/auth', { envoyPrefix: '/v1/auth', hidden: true }),
  ];
}

/** A query string that names the API key parameter, plainly or percent-encoded (`api%5Fkey`). */
const API_KEY_QUERY = /[?&]api(?:_|%5f)key=/i;

/**
 * Checks one forward-auth call at one address; expected refusals are answers, store failures throw
 * (or reject). The answer comes in the same tick whenever the verifier's does (a cached key).
 */
export type ForwardAuthCheck = (address: ForwardAuthAddress, call: ForwardAuthCall, log: Pick<FastifyBaseLogger, 'warn'>) => ForwardAuthResult | Promise<ForwardAuthResult>;

/** The JSON body is an opt-in of the address (`?body=json`) or, for Envoy, of a header its config adds. */
function wantsJson(address: ForwardAuthAddress, call: ForwardAuthCall): boolean {
  if (call.headers['x-keygate-body'] === 'json') return true;
  return address.proxy !== 'envoy' && call.query.body === 'json';
}

/** Builds the one forward-auth check behind every forward-auth address and both HTTP front ends. */
export function forwardAuthCheck(parts: { readonly verifier: Pick<Verifier, 'verifyNow'>; readonly proxyTrust: ProxyTrust }): ForwardAuthCheck {
  const { verifier, proxyTrust } = parts;
  return (address, call, log) => {
    const json = wantsJson(address, call);
    const { proxy } = address;
    if ((address.generic || proxy === 'envoy') && carriesOtherProxyHeaders(proxy, call)) {
      return address.generic
        ? badRequestAnswer('forward-auth proxy headers do not match forwardAuth.proxy', `this request carries another proxy's original-request headers, but /v1/auth reads ${proxy}'s (forwardAuth.proxy); call /v1/auth/traefik, /v1/auth/nginx or /v1/auth/envoy instead`, json)
        : badRequestAnswer('nginx or Traefik headers at an Envoy forward-auth address', `this request carries nginx's or Traefik's original-request headers at an Envoy address, which reads no ?permission=; point nginx at exactly /v1/auth/nginx and Traefik at exactly /v1/auth/traefik`, json);
    }
    const unknown = unknownAddressParameters(proxy, call);
    if (unknown.length > 0) {
      const message = `the forward-auth address takes only ?permission= and ?body=json, not ${unknown.map((name) => `?${name}=`).join(', ')}; fix the address the proxy calls`;
      return badRequestAnswer('unknown parameter in the forward-auth address', message, json);
    }
    const facts = forwardedRequest(proxy, call, proxyTrust, address.envoyPrefix);
    // A proxy may ask for several permissions (query and header): the verifier checks that each holds.
    const verdict = verifier.verifyNow(facts, { permission: requiredPermissions(proxy, call) });
    // A cached key's answer allocates no closure: only one that waits for I/O needs one.
    return verdict instanceof Promise ? verdict.then((ready) => answerOf(ready, facts, json, log)) : answerOf(verdict, facts, json, log);
  };
}

/** The answer to a verdict; a key sent in the query string is logged (by key id, never the key). */
function answerOf(verdict: Verdict, facts: RequestFacts, json: boolean, log: Pick<FastifyBaseLogger, 'warn'>): ForwardAuthResult {
  if (API_KEY_QUERY.test(facts.url) && findOpaqueKey(facts)?.source === 'query') {
    log.warn({ keyId: verdict.key?.id }, 'API key sent in the api_key query parameter; the X-API-Key header keeps it out of logs');
  }
  return forwardAuthAnswer(verdict, json);
}
