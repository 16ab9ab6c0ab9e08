import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '../../core/errors.ts';
import { findOpaqueKey } from '../../schemes/opaque-scheme.ts';
import type { HttpDependencies } from '../http-dependencies.ts';
import { errorBody } from '../error-handler.ts';
import { forwardAuthAnswer } from '../forward-auth/forward-auth-answer.ts';
import { carriesOtherProxyHeaders, forwardedRequest, requiredPermissions, unknownAddressParameters, type ForwardAuthProxy } from '../forward-auth/forwarded-request.ts';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const ENVOY_PREFIX = '/v1/auth/envoy';
/** Bodies a proxy may pass along (Envoy's with_request_body); kept as text for schemes that sign them. */
const BODY_LIMIT = 1024 * 1024;

/** A query string that names the API key parameter, plainly or percent-encoded (`api%5Fkey`). */
const API_KEY_QUERY = /[?&]api(?:_|%5f)key=/i;

const description = [
  'Answers 200 with X-Keygate-* identity headers, 401 (missing, malformed or unknown key), 403 (revoked, expired,',
  'address or permission refused) or 429 (throttled). No body: the verdict is in X-Keygate-Code and, on refusals,',
  'X-Keygate-Reason; add ?body=json (or the header X-Keygate-Body: json) for a JSON body.',
].join(' ');

/**
 * Forward-auth for reverse proxies: GET /v1/auth/nginx, /v1/auth/traefik, /v1/auth/envoy/* each read
 * their own proxy's headers; GET /v1/auth reads those of `forwardAuth.proxy`. Registered in their own
 * scope: any content type is accepted as raw text and no cookie or console hook runs.
 */
export async function forwardAuthRoutes(app: FastifyInstance, parts: Pick<HttpDependencies, 'config' | 'verifier' | 'proxyTrust'>): Promise<void> {
  const answer = forwardAuthAnswer();
  const { proxyTrust } = parts;

  const check = (proxy: ForwardAuthProxy, options: { generic?: boolean; envoyPrefix?: string } = {}) => async (request: FastifyRequest, reply: FastifyReply) => {
    const json = wantsJson(request, proxy);
    if ((options.generic || proxy === 'envoy') && carriesOtherProxyHeaders(proxy, request)) {
      const [message, reason] = options.generic
        ? [`this request carries another proxy's original-request headers, but /v1/auth reads ${proxy}'s (forwardAuth.proxy); call /v1/auth/traefik, /v1/auth/nginx or /v1/auth/envoy instead`, 'forward-auth proxy headers do not match forwardAuth.proxy']
        : [`this request carries nginx's or Traefik's original-request headers at an Envoy address, which reads no ?permission=; point nginx at exactly /v1/auth/nginx and Traefik at exactly /v1/auth/traefik`, 'nginx or Traefik headers at an Envoy forward-auth address'];
      reply.status(400).header('x-keygate-code', ErrorCode.BAD_REQUEST).header('x-keygate-reason', reason);
      return json ? reply.send(errorBody(ErrorCode.BAD_REQUEST, message)) : reply.send();
    }
    const unknown = unknownAddressParameters(proxy, request);
    if (unknown.length > 0) {
      const message = `the forward-auth address takes only ?permission= and ?body=json, not ${unknown.map((name) => `?${name}=`).join(', ')}; fix the address the proxy calls`;
      reply.status(400).header('x-keygate-code', ErrorCode.BAD_REQUEST).header('x-keygate-reason', 'unknown parameter in the forward-auth address');
      return json ? reply.send(errorBody(ErrorCode.BAD_REQUEST, message)) : reply.send();
    }
    const facts = forwardedRequest(proxy, request, proxyTrust, options.envoyPrefix);
    // A proxy may ask for several permissions (query and header): the verifier checks that each holds.
    const verdict = await parts.verifier.verify(facts, { permission: requiredPermissions(proxy, request) });
    if (API_KEY_QUERY.test(facts.url) && findOpaqueKey(facts)?.source === 'query') {
      request.log.warn({ keyId: verdict.key?.id }, 'API key sent in the api_key query parameter; the X-API-Key header keeps it out of logs');
    }
    return answer(reply, verdict, json);
  };

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (request, body, done) => {
      request.rawBody = body as string;
      done(null, undefined);
    });
    const schema = (summary: string, hide = false) => ({ tags: ['verify'], summary, description, hide });
    scope.route({ method: METHODS, url: '/v1/auth', schema: schema(`Forward-auth reading the headers of forwardAuth.proxy (${parts.config.forwardAuth.proxy})`), handler: check(parts.config.forwardAuth.proxy, { generic: true }) });
    scope.route({ method: METHODS, url: '/v1/auth/nginx', schema: schema('Forward-auth for nginx auth_request: X-Original-URI, X-Original-Method, X-Real-IP'), handler: check('nginx') });
    scope.route({ method: METHODS, url: '/v1/auth/traefik', schema: schema('Forward-auth for Traefik ForwardAuth: X-Forwarded-Uri, X-Forwarded-Method, X-Forwarded-For'), handler: check('traefik') });
    // Envoy's ext_authz appends the original path and query to its path_prefix.
    const envoy = check('envoy', { envoyPrefix: ENVOY_PREFIX });
    scope.route({ method: METHODS, url: ENVOY_PREFIX, schema: schema('Forward-auth for Envoy ext_authz (path_prefix /v1/auth/envoy)'), handler: envoy });
    scope.route({ method: METHODS, url: `${ENVOY_PREFIX}/*`, schema: schema('Envoy ext_authz, original path appended', true), handler: envoy });
    // Before per-proxy paths, Envoy was pointed at path_prefix /v1/auth: such calls keep Envoy's rules.
    scope.route({ method: METHODS, url: '/v1/auth/*', schema: schema('Envoy ext_authz with the older path_prefix /v1/auth', true), handler: check('envoy', { envoyPrefix: '/v1/auth' }) });
  });

  /** The JSON body is an opt-in of the address (`?body=json`) or, for Envoy, of a header its config adds. */
  function wantsJson(request: FastifyRequest, proxy: ForwardAuthProxy): boolean {
    if (request.headers['x-keygate-body'] === 'json') return true;
    return proxy !== 'envoy' && (request.query as { body?: unknown } | undefined)?.body === 'json';
  }
}
