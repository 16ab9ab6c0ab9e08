import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RequestFacts } from '../schemes/request-facts.ts';

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

/** The transport-neutral view of a handshake request; `trustProxy` honours X-Forwarded-For. */
export function handshakeFacts(request: IncomingMessage, trustProxy: boolean | string): RequestFacts {
  const forwarded = request.headers['x-forwarded-for'];
  const first = typeof forwarded === 'string' ? forwarded.split(',')[0]?.trim() : undefined;
  const ip = (trustProxy !== false && first) || request.socket.remoteAddress || undefined;
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
