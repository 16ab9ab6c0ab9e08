import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKey } from '../../core/api-key.ts';
import type { HttpDependencies } from '../http-dependencies.ts';
import { findOpaqueKey } from '../../schemes/opaque-scheme.ts';
import type { RequestFacts } from '../../core/request-facts.ts';
import { VERDICT_STATUS } from '../../core/codes.ts';
import { errorBody } from '../error-handler.ts';
import { ErrorSchema } from '../error-schema.ts';

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Rebuilds the original request from the headers nginx, Traefik and Envoy send. X-Real-IP is only
 * believed when the node trusts its proxy (trustProxy), like X-Forwarded-For, so a client talking to
 * Keygate directly cannot claim an allowlisted address.
 */
export function originalRequest(request: FastifyRequest, envoyPath: string | null, trustProxyHeaders = true): RequestFacts {
  const h = request.headers;
  const method = first(h['x-original-method']) ?? first(h['x-forwarded-method']) ?? request.method;
  // Called directly (no proxy headers), the request itself is the original: its api_key query counts.
  const url = first(h['x-original-uri']) ?? first(h['x-forwarded-uri']) ?? envoyPath ?? request.url;
  const ip = (trustProxyHeaders ? first(h['x-real-ip'])?.trim() : undefined) || request.ip;
  return { method: method.toUpperCase(), url, headers: h as Record<string, string | undefined>, body: request.rawBody, ip };
}

/** What forward-auth answers for a key: built once per loaded key, since cached keys are the same object. */
interface Allowance {
  readonly headers: Readonly<Record<string, string>>;
  /** The 200 body, already serialised. */
  readonly body: string;
}

const allowances = new WeakMap<ApiKey, Allowance>();
function allowanceOf(key: ApiKey): Allowance {
  let allowance = allowances.get(key);
  if (!allowance) {
    allowance = {
      headers: {
        'x-keygate-key-id': key.id,
        'x-keygate-user-id': key.userId,
        'x-keygate-organization-id': key.organizationId,
        'x-keygate-scheme': key.scheme,
        'x-keygate-permissions': key.permissions.join(','),
        'x-keygate-tier': key.tier,
        'x-keygate-allowed-exchanges': key.allowedExchanges.join(','),
        'content-type': 'application/json; charset=utf-8',
      },
      body: JSON.stringify({ valid: true, code: 'VALID', keyId: key.id }),
    };
    allowances.set(key, allowance);
  }
  return allowance;
}

const Allowed = Type.Object({ valid: Type.Literal(true), code: Type.Literal('VALID'), keyId: Type.String() });

/** GET /v1/auth: forward-auth for nginx auth_request, Traefik ForwardAuth and Envoy ext_authz. */
export async function forwardAuthRoutes(app: FastifyInstance, parts: Pick<HttpDependencies, 'config' | 'verifier'>): Promise<void> {
  // With a list of trusted proxies Fastify checks X-Forwarded-For hop by hop; X-Real-IP carries no
  // such chain, so it is believed only when every peer is trusted (trustProxy: true).
  const trustProxyHeaders = parts.config.trustProxy === true;
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const wildcard = (request.params as { '*'?: string })['*'];
    const facts = originalRequest(request, wildcard === undefined ? null : '/' + wildcard, trustProxyHeaders);
    const query = request.query as { permission?: string };
    const permission = query.permission ?? first(request.headers['x-keygate-permission']);
    const verdict = await parts.verifier.verify(facts, { permission });
    if (facts.url.includes('api_key=') && findOpaqueKey(facts)?.source === 'query') {
      request.log.warn({ keyId: verdict.key?.id }, 'API key sent in the api_key query parameter; the X-API-Key header keeps it out of logs');
    }
    if (!verdict.valid) {
      if (VERDICT_STATUS[verdict.code] === 401) reply.header('www-authenticate', 'ApiKey realm="keygate"');
      return reply.status(VERDICT_STATUS[verdict.code]).send(errorBody(verdict.code, verdict.message));
    }
    const allowance = allowanceOf(verdict.key);
    return reply.status(200).headers(allowance.headers).send(allowance.body);
  };
  const schema = {
    tags: ['verify'],
    summary: 'Forward-auth: 200 with X-Keygate-* identity headers, 401/403/429 otherwise',
    response: { 200: Allowed, 401: ErrorSchema, 403: ErrorSchema, 429: ErrorSchema },
  };
  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], url: '/v1/auth', schema, handler });
  // Envoy's ext_authz appends the original path to the configured prefix.
  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], url: '/v1/auth/*', schema: { ...schema, hide: true }, handler });
}
