import WebSocket from 'ws';
import type { TestNode } from '../support/harness.ts';
import { withTimeout } from '../support/wait-for.ts';

/** A spec 002 feed session that records when and how it closed. */
export interface TrackedFeed {
  readonly ws: WebSocket;
  /** Set when the socket closes: close code, reason and the wall-clock time it happened. */
  ended: { code: number; reason: string; at: number } | null;
  /** Resolves with `ended` once the socket closes. */
  readonly closed: Promise<{ code: number; reason: string; at: number }>;
}

/** Opens a feed session with `key` on `node`; resolves with the session or the handshake's refusal status. */
export function openFeed(node: TestNode, key: string): Promise<TrackedFeed | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(node.url.replace(/^http/, 'ws') + '/', { headers: { 'X-API-Key': key } });
    const feed: TrackedFeed = {
      ws,
      ended: null,
      closed: new Promise((settle) =>
        ws.once('close', (code, reason) => {
          feed.ended = { code, reason: reason.toString(), at: Date.now() };
          settle(feed.ended);
        }),
      ),
    };
    ws.once('open', () => resolve(feed));
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (error) => {
      if (!String(error.message).includes('Unexpected server response')) reject(error);
    });
  });
}

/** Opens a feed session and fails the test when the handshake is refused. */
export async function mustOpenFeed(node: TestNode, key: string): Promise<TrackedFeed> {
  const result = await openFeed(node, key);
  if (typeof result === 'number') throw new Error(`feed handshake refused with ${result}`);
  return result;
}

/** Forward-auth's status for `key` on `node`. */
export async function authStatus(node: TestNode, key: string): Promise<number> {
  const response = await fetch(`${node.url}/v1/auth`, { headers: { 'X-API-Key': key } });
  await response.arrayBuffer();
  return response.status;
}

/** Waits until every feed has closed, at most `ms`; the error names how many are still open. */
export async function allClosed(feeds: readonly TrackedFeed[], what: string, ms: number): Promise<void> {
  const open = () => feeds.filter((f) => f.ended === null).length;
  await withTimeout(Promise.all(feeds.map((f) => f.closed)), `${what} (${open()} of ${feeds.length} still open)`, ms).catch((error: Error) => {
    throw new Error(`${error.message}; ${open()} still open at the deadline`);
  });
}

/** The p-th percentile of `values` (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}
