import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { HttpDependencies } from './http-dependencies.ts';
import { installErrorHandler } from './error-handler.ts';
import { installManagementAuth } from './management-auth.ts';
import { forwardAuthAddresses, forwardAuthCheck } from './forward-auth/forward-auth-check.ts';
import { ForwardAuthFastPath } from './forward-auth/forward-auth-fast-path.ts';
import { applyOptionalBodies, markOptionalBody } from './openapi-optional-body.ts';
import { parseQueryString } from './query-string.ts';
import { installJsonParser } from './raw-body.ts';
import { frontofficeProfile } from './profiles/frontoffice-profile.ts';
import { rsaKeysProfile } from './profiles/rsa-keys-profile.ts';
import { walletKeysProfile } from './profiles/wallet-keys-profile.ts';
import { accountRoutes } from './routes/account-routes.ts';
import { consoleRoutes } from './routes/console-routes.ts';
import { consoleStaticRoutes } from './routes/console-static-routes.ts';
import { forwardAuthRoutes } from './routes/forward-auth-routes.ts';
import { keysRoutes } from './routes/keys-routes.ts';
import { metricsRoutes } from './routes/metrics-routes.ts';
import { readinessRoutes } from './routes/readiness-routes.ts';
import { realtimeRoutes } from './routes/realtime-api-routes.ts';
import { tokensRoutes } from './routes/tokens-routes.ts';
import { verifyRoutes } from './routes/verify-routes.ts';

/** A group of routes; every native route file and every spec profile is one, taking the dependencies it names. */
export type RouteModule = (app: FastifyInstance, deps: HttpDependencies) => Promise<void>;

/**
 * Routes machines call on every request (forward-auth, the verify and server APIs, readiness) and the
 * console's static files: no cookie parsing and no console session hook runs for them.
 */
export const LEAN_ROUTE_MODULES: readonly RouteModule[] = [readinessRoutes, metricsRoutes, verifyRoutes, forwardAuthRoutes, realtimeRoutes];

/**
 * Routes of people and their tools, in one encapsulated scope with cookies and management
 * authentication (Bearer tokens, console sessions): the native API, then the spec profiles.
 */
export const MANAGEMENT_ROUTE_MODULES: readonly RouteModule[] = [
  accountRoutes,
  keysRoutes,
  tokensRoutes,
  frontofficeProfile,
  rsaKeysProfile,
  walletKeysProfile,
  consoleRoutes,
];

type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Puts the forward-auth fast path in front of Fastify on the server Fastify made: its request
 * listener is asked only for what the fast path leaves. Not a serverFactory, so Fastify keeps making
 * the server itself, with its timeouts, and still listens on every address `localhost` resolves to
 * (the extra servers it makes for those answer through Fastify alone, with the same answers).
 */
function askFastPathFirst(app: FastifyInstance, fastPath: ForwardAuthFastPath): void {
  const listeners = app.server.listeners('request') as RequestHandler[];
  // Fastify makes its server with one request listener; anything else and the fast path stays out.
  if (listeners.length !== 1) throw new Error(`expected Fastify's server to have one request listener, found ${listeners.length}`);
  const [fastify] = listeners;
  app.server.removeListener('request', fastify);
  app.server.on('request', (request: IncomingMessage, response: ServerResponse) => fastPath.handle(request, response) || fastify(request, response));
}

/** Builds the Fastify app: JSON parsing, errors, auth, OpenAPI at /docs, and every route module. */
export async function buildHttpApp(parts: HttpDependencies): Promise<FastifyInstance> {
  // Typed as a plain FastifyInstance so route modules need not know the logger's concrete type.
  const requestLogging = parts.config.logLevel === 'debug' || parts.config.logLevel === 'trace';
  // With request logging on, every request goes through Fastify so that each is logged.
  const fastPath = requestLogging
    ? null
    : new ForwardAuthFastPath({ addresses: forwardAuthAddresses(parts.config.forwardAuth.proxy), check: forwardAuthCheck(parts), proxyTrust: parts.proxyTrust, logger: parts.logger as FastifyBaseLogger, store: parts.storeHealth });
  const app: FastifyInstance = Fastify({
    routerOptions: { querystringParser: parseQueryString },
    loggerInstance: parts.logger as FastifyBaseLogger,
    // The compiled setting, so request.ip walks X-Forwarded-For exactly as WebSocket handshakes do.
    trustProxy: parts.proxyTrust,
    logController: new LogController({ disableRequestLogging: !requestLogging }),
    // A per-request child logger (with its redaction set-up) is the costliest step of a cached
    // forward-auth check; without request logging, route logs go to the node logger directly.
    childLoggerFactory: (logger, bindings, options) => (requestLogging ? logger.child(bindings, options) : logger),
    // allErrors stays off (every error of a hostile body is a DoS lever); verbose errors carry the schema and
    // data, so one 400 can still name every missing required field (validation-message.ts). They hold the
    // input, secrets included: never log error.validation.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false, verbose: true, keywords: ['x-expected'] } },
  });
  if (fastPath) {
    askFastPathFirst(app, fastPath);
    app.addHook('preClose', (done) => (fastPath.close(), done()));
  }
  installJsonParser(app);
  installErrorHandler(app, { store: parts.storeHealth });
  await app.register(swagger, {
    transform: markOptionalBody,
    transformObject: applyOptionalBodies,
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Keygate', version: '0.1.0', description: 'API keys and real-time gateway for trading platforms' },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'Management token (kgm_…)' },
          serverToken: { type: 'http', scheme: 'bearer', description: 'Server credential (kgs_…)' },
          metricsToken: { type: 'http', scheme: 'bearer', description: 'metrics.token, when the node sets one (GET /metrics)' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  for (const routes of LEAN_ROUTE_MODULES) await routes(app, parts);
  await app.register(async (management) => {
    await management.register(cookie);
    installManagementAuth(management, parts);
    for (const routes of MANAGEMENT_ROUTE_MODULES) await routes(management, parts);
  });
  // Last: its catch-all GET answers the console page for any path no other route took.
  await consoleStaticRoutes(app, parts);
  return app;
}
