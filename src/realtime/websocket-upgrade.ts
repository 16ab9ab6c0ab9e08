import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import proxyaddr from '@fastify/proxy-addr';
import type { ProxyTrust } from '../config/proxy-trust.ts';
import type { RequestFacts } from '../core/request-facts.ts';

/** Which protocol a WebSocket path speaks. */
export type UpgradeRoute = 'centrifuge' | 'feed' | null;

const CENTRIFUGE_PATHS = new Set(['/connection/websocket', '/e/v1/ws']);
const FEED_PATHS = new Set(['/', '/feed']);

/** Routes an upgrade by path: Centrifuge at /connection/websocket and /e/v1/ws, the spec 002 feed at / and /feed. */
export function routeUpgrade(url: string | undefined): UpgradeRoute {
  const path = (url ?? '/').split('?')[0].replace(/(.)\/+$/, '$1');
  if (CENTRIFUGE_PATHS.has(path)) return 'centrifuge';
  if (FEED_PATHS.has(path)) return 'feed';
  return null;
}

/**
 * The transport-neutral view of a handshake request. The client address walks X-Forwarded-For from
 * the right only through trusted proxies, with the same compiled `trustProxy` as HTTP requests, so
 * an allowlist cannot be claimed from outside.
 */
export function handshakeFacts(request: IncomingMessage, trust: ProxyTrust): RequestFacts {
  const ip = request.socket.remoteAddress ? proxyaddr(request, trust) : undefined;
  return { method: 'GET', url: request.url ?? '/', headers: request.headers as Record<string, string | undefined>, ip: ip?.replace(/^::ffff:/, '') };
}

/** Refuses an upgrade with a plain HTTP response written on the raw socket. */
export function refuseUpgrade(socket: Duplex, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const text = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(text)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
}
