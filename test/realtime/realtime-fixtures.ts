import { after, before } from 'node:test';
import { Centrifuge, type Options } from 'centrifuge';
import WebSocket from 'ws';
import { startNode, type StartOptions, type TestNode, type TestUser } from '../support/harness.ts';
import { waitFor } from '../support/wait-for.ts';

/** Hardhat account #0 in its EIP-55 form, and in lowercase. */
export const WALLET = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
export const WALLET_LOWER = WALLET.toLowerCase();

/** What `walletOwnerSuite` gives its suite's tests (read inside them: it is filled in before they run). */
export interface WalletOwnerSuite {
  readonly node: TestNode;
  /** A user holding WALLET on the node. */
  readonly owner: TestUser;
  /** The official clients the tests open: disconnected after them, before the node stops. */
  readonly clients: Centrifuge[];
}

/**
 * The fixture most real-time suites share: a node (started with `options` before the calling suite's
 * tests, stopped after them), a user holding WALLET, and the Centrifuge clients the tests open.
 */
export function walletOwnerSuite(options: StartOptions = {}): WalletOwnerSuite {
  const suite = { clients: [] as Centrifuge[] } as { node: TestNode; owner: TestUser; clients: Centrifuge[] };
  before(async () => {
    suite.node = await startNode(options);
    suite.owner = await suite.node.addUser({ wallets: [WALLET] });
  });
  after(async () => {
    for (const client of suite.clients) client.disconnect();
    await suite.node?.stop();
  });
  return suite;
}

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

/** Waits until `check` holds (test/support/wait-for.ts's waitFor, with this file's argument order). */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 3000, what = 'condition'): Promise<void> {
  await waitFor(check, what, ms);
}

/** A raw Centrifuge protocol client: sends commands batched in frames, collects every JSON line received. */
export interface RawCentrifuge {
  readonly ws: WebSocket;
  readonly lines: any[];
  readonly frames: string[];
  send(...commands: unknown[]): void;
  /** The first received line matching `predicate` (rejects after `ms`). */
  waitFor(predicate: (line: any) => boolean, ms?: number): Promise<any>;
  /** How the socket closed, once it has (rejects after `ms`). */
  waitClosed(ms?: number): Promise<{ code: number; reason: string }>;
  /** How the socket closed, or null while open. */
  closed(): { code: number; reason: string } | null;
}

/** Opens a raw Centrifuge socket to a node (optionally with extra handshake headers). */
export async function rawCentrifuge(node: TestNode, headers: Record<string, string> = {}): Promise<RawCentrifuge> {
  const ws = new WebSocket(centrifugeUrl(node), { headers });
  const lines: any[] = [];
  const frames: string[] = [];
  let closed: { code: number; reason: string } | null = null;
  ws.on('message', (data) => {
    frames.push(data.toString());
    for (const line of data.toString().split('\n')) lines.push(JSON.parse(line));
  });
  ws.on('close', (code, reason) => (closed = { code, reason: reason.toString() }));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return {
    ws,
    lines,
    frames,
    send: (...commands) => ws.send(commands.map((c) => JSON.stringify(c)).join('\n')),
    async waitFor(predicate, ms = 3000) {
      let found: any;
      await eventually(() => (found = lines.find(predicate)) !== undefined, ms, 'a matching reply');
      return found;
    },
    async waitClosed(ms = 3000) {
      await eventually(() => closed !== null, ms, 'the socket closing');
      return closed as unknown as { code: number; reason: string };
    },
    closed: () => closed,
  };
}
