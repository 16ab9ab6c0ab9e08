import { Centrifuge, type Options } from 'centrifuge';
import WebSocket from 'ws';
import type { TestNode } from '../support/harness.ts';

/** Hardhat account #0 in its EIP-55 form, and in lowercase. */
export const WALLET = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
export const WALLET_LOWER = WALLET.toLowerCase();

/** The Centrifuge endpoint of a node (the spec's path). */
export function centrifugeUrl(node: TestNode, path = '/e/v1/ws'): string {
  return node.url.replace(/^http/, 'ws') + path;
}

/** The official client as Node 20 needs it (WebSocket from ws), with quick reconnects for tests. */
export function officialClient(node: TestNode, options: Partial<Options> = {}): Centrifuge {
  return new Centrifuge(centrifugeUrl(node), { websocket: WebSocket, minReconnectDelay: 50, maxReconnectDelay: 200, timeout: 3000, ...options });
}

/** Creates a dsk_ key over the native API as `token`'s user; returns the secret and the key's id. */
export async function createKey(node: TestNode, token: string, body: Record<string, unknown> = {}): Promise<{ key: string; id: string }> {
  const created = await node.request('POST', '/v1/keys', { token, body: { name: `rt-${Math.random().toString(36).slice(2, 8)}`, permissions: ['read'], ...body } });
  if (created.status !== 201) throw new Error(`could not create key: ${created.status} ${JSON.stringify(created.body)}`);
  return { key: created.body.key, id: created.body.id };
}

/** Resolves with the first event `name` the emitter emits (rejects after `ms`). */
// The emitters' typed overloads differ per event; tests read the fields they expect.
export function nextEvent<T = any>(emitter: { once(name: any, listener: any): unknown }, name: string, ms = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} event within ${ms} ms`)), ms);
    emitter.once(name, (value: T) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}
