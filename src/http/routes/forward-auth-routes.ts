import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpDependencies } from '../http-dependencies.ts';
import { FORWARD_AUTH_METHODS, forwardAuthAddresses, forwardAuthCheck, type ForwardAuthAddress } from '../forward-auth/forward-auth-check.ts';
import type { ForwardAuthCall } from '../forward-auth/forwarded-request.ts';

/** Bodies a proxy may pass along (Envoy's with_request_body); kept as text for schemes that sign them. */
const BODY_LIMIT = 1024 * 1024;

const description = [
  'Answers 200 with X-Keygate-* identity headers, 401 (missing, malformed or unknown key), 403 (revoked, expired,',
  'address or permission refused) or 429 (throttled). No body: the verdict is in X-Keygate-Code and, on refusals,',
  'X-Keygate-Reason; add ?body=json (or the header X-Keygate-Body: json) for a JSON body.',
].join(' ');

/** A Fastify request as a forward-auth call. */
function callOf(request: FastifyRequest): ForwardAuthCall {
  return {
    method: request.method,
    url: request.url,
    headers: request.headers,
    query: (request.query as ForwardAuthCall['query'] | undefined) ?? {},
    peer: request.socket.remoteAddress,
    clientIp: () => request.ip,
    body: request.rawBody,
  };
}

/**
 * Forward-auth for reverse proxies, at every address of forwardAuthAddresses(). Registered in their
 * own scope: any content type is accepted as raw text and no cookie or console hook runs. Calls
 * without a body usually never reach these routes: the node:http fast path answers them with the
 * same check (forward-auth-fast-path.ts); these serve calls with a body, inject(), and the OpenAPI page.
 */
export async function forwardAuthRoutes(app: FastifyInstance, parts: Pick<HttpDependencies, 'config' | 'verifier' | 'proxyTrust'>): Promise<void> {
  const check = forwardAuthCheck(parts);
  const handler = (address: ForwardAuthAddress) => async (request: FastifyRequest, reply: FastifyReply) => {
    const answer = await check(address, callOf(request), request.log);
    reply.status(answer.status);
    const { headers } = answer;
    for (let at = 0; at < headers.length; at += 2) reply.header(headers[at], headers[at + 1]);
    return answer.body === undefined ? reply.send() : reply.send(answer.body);
  };

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (request, body, done) => {
      request.rawBody = body as string;
      done(null, undefined);
    });
    for (const address of forwardAuthAddresses(parts.config.forwardAuth.proxy)) {
      scope.route({ method: [...FORWARD_AUTH_METHODS], url: address.url, schema: { tags: ['verify'], summary: address.summary, description, hide: address.hidden }, handler: handler(address) });
    }
  });
}
