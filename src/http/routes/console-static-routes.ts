import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { HttpDependencies } from '../http-dependencies.ts';

/** Where `npm run build` puts the console in this checkout. */
export const DEFAULT_CONSOLE_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** Paths that belong to the API, the docs or the real-time endpoints: never answered with the console page. */
const RESERVED_PREFIXES = ['/v1', '/api', '/docs', '/healthz', '/readyz', '/metrics', '/frontoffice', '/api_keys', '/connection', '/e/v1/ws'];

/** True when `path` is an API or real-time path rather than a console page. */
export function isReservedPath(path: string): boolean {
  return RESERVED_PREFIXES.some((prefix) => path === prefix || path.startsWith(prefix + '/') || path.startsWith(prefix + '?'));
}

/** Serves the built web console at `/`, with index.html for every other non-API GET (client-side routes). */
export async function consoleStaticRoutes(app: FastifyInstance, parts: Pick<HttpDependencies, 'config' | 'logger'>): Promise<void> {
  const root = resolve(parts.config.console.distDir ?? DEFAULT_CONSOLE_DIST);
  const built = existsSync(join(root, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      index: false,
      cacheControl: false,
      setHeaders(res, path) {
        // Vite fingerprints everything under assets/; index.html must always be fetched fresh.
        res.setHeader('cache-control', path.includes(`${join(root, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  } else {
    parts.logger.warn({ root }, 'the web console is not built; run `npm run build` to serve it at /');
  }

  const page = async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    const path = request.url.split('?')[0];
    if (isReservedPath(path)) return reply.callNotFound();
    if (!built) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send(`The Keygate web console is not built in ${root}.\nRun \`npm run build\` (npm start does it for you), then reload.\n`);
    }
    // The page can revoke keys: never let another site frame it (clickjacking).
    return reply
      .header('cache-control', 'no-cache')
      .header('content-security-policy', "frame-ancestors 'none'")
      .header('x-frame-options', 'DENY')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .sendFile('index.html', root);
  };
  app.get('/', { schema: { hide: true } }, page);
  app.get('/*', { schema: { hide: true } }, page);
}
