import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Broker, StreamMessage, StreamPosition, StreamState } from '../bus/broker.ts';
import { PUBLICATIONS_TOPIC, REALTIME_CONTROL_TOPIC, type DisconnectFilter } from '../bus/topics.ts';
import type { Config } from '../config/config-schema.ts';
import type { ProxyTrust } from '../config/proxy-trust.ts';
import type { Clock } from '../core/clock.ts';
import { HANDSHAKE_RETRY } from '../core/codes.ts';
import { badInput } from '../core/errors.ts';
import type { IdSource } from '../core/ids.ts';
import type { Metrics } from '../core/metrics.ts';
import type { SecretBox } from '../core/secret-box.ts';
import type { Verifier } from '../verify/verifier.ts';
import { CentrifugeSession } from './centrifuge-session.ts';
import { canonicalChannel } from '../core/channel-names.ts';
import { ConnectionSlots } from './connection-slots.ts';
import { ConnectionTokens } from './connection-token.ts';
import { acceptFeed } from './feed-handshake.ts';
import { PendingConnections, type PendingPlace, type PendingRefusal } from './pending-connections.ts';
import { Hub } from './hub.ts';
import { KeyWatch } from './key-watch.ts';
import { historyWindow } from './recovery.ts';
import type { RealtimeContext, RealtimeSettings } from './realtime-context.ts';
import { handshakeFacts, refuseUpgrade, routeUpgrade } from './websocket-upgrade.ts';

/** The parts of a node the gateway uses. */
export interface GatewayDependencies {
  readonly config: Config;
  readonly broker: Broker;
  readonly verifier: Verifier;
  readonly secrets: SecretBox;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly logger: Logger;
  /** Which peers may report the client address (the compiled `trustProxy`, shared with HTTP). */
  readonly proxyTrust: ProxyTrust;
  /** Sessions ended, event-to-close times, publications and deliveries (GET /metrics). */
  readonly metrics: Metrics;
}

/** Most publications a client's history call returns, whatever the history keeps. */
const MAX_HISTORY_LIMIT = 1000;

/** Settings the gateway reads from configuration. */
export function realtimeSettings(config: Config): RealtimeSettings {
  const r = config.realtime;
  return {
    pingIntervalMs: r.pingIntervalSeconds * 1000,
    connectTimeoutMs: r.connectTimeoutSeconds * 1000,
    maxPendingPerAddress: r.maxPendingConnectionsPerAddress,
    maxPending: r.maxPendingConnections,
    maxSubscriptionsPerConnection: r.maxSubscriptionsPerConnection,
    // The official client sends connect and every subscribe in one frame.
    maxCommandsPerFrame: Math.max(100, r.maxSubscriptionsPerConnection + 1),
    historyLimit: Math.min(MAX_HISTORY_LIMIT, r.historySize),
    stream: { size: r.historySize, ttlMs: r.historyTtlSeconds * 1000, metaTtlMs: Math.max(r.historyTtlSeconds * 1000, 24 * 3600_000) },
    channels: { walletPermission: r.walletChannelPermission, clientPublishNamespaces: r.clientPublishNamespaces },
    recoverable: r.historySize > 0,
    version: '0.1.0',
  };
}

/** An upgrade socket's error listener: one function for every socket, not a closure per socket. */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

/**
 * The real-time gateway of one node: both WebSocket protocols, the hub, key watch, connection slots,
 * and publishing through the broker so every node's subscribers receive each publication.
 */
export class RealtimeGateway {
  readonly context: RealtimeContext;
  readonly #deps: GatewayDependencies;
  readonly #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024, clientTracking: false });
  readonly #sockets = new Set<WebSocket>();
  /** Sockets that have not authenticated yet, per client address and in total. */
  readonly #pending: PendingConnections;
  readonly #unsubscribes: Array<() => Promise<void>> = [];
  readonly #proxyTrust: ProxyTrust;
  #pingTimer: NodeJS.Timeout | null = null;
  #server: Server | null = null;
  readonly #onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(request, socket, head);

  private constructor(deps: GatewayDependencies) {
    this.#proxyTrust = deps.proxyTrust;
    this.#deps = deps;
    const settings = realtimeSettings(deps.config);
    this.#pending = new PendingConnections({ perAddress: settings.maxPendingPerAddress, total: settings.maxPending });
    const hub = new Hub(deps.metrics);
    const nodeId = deps.ids.uuid();
    const slots = new ConnectionSlots(deps.broker, deps.config.realtime.presenceTtlSeconds * 1000, { nodeId, clock: deps.clock });
    const keyWatch = new KeyWatch(hub, deps.verifier, deps.clock, deps.logger, deps.metrics);
    const tokens = new ConnectionTokens(deps.secrets.derive('realtime-connection-token'));
    this.context = {
      nodeId,
      hub,
      slots,
      keyWatch,
      broker: deps.broker,
      verifier: deps.verifier,
      tokens,
      clock: deps.clock,
      ids: deps.ids,
      logger: deps.logger,
      metrics: deps.metrics,
      settings,
      publish: (channel, data) => this.publish(channel, data),
    };
  }

  /** Creates the gateway and subscribes it to publications, key events and control messages. */
  static async start(deps: GatewayDependencies): Promise<RealtimeGateway> {
    const gateway = new RealtimeGateway(deps);
    const { hub, slots } = gateway.context;
    gateway.#unsubscribes.push(await deps.broker.subscribe(PUBLICATIONS_TOPIC, (m) => hub.dispatch(m as StreamMessage)));
    gateway.#unsubscribes.push(await deps.broker.subscribe(REALTIME_CONTROL_TOPIC, (m) => gateway.#disconnectLocal(m as DisconnectFilter)));
    slots.start((error) => deps.logger.warn({ err: error }, 'could not refresh connection slots'));
    gateway.#pingTimer = setInterval(() => gateway.#keepAlive(), gateway.context.settings.pingIntervalMs);
    gateway.#pingTimer.unref();
    return gateway;
  }

  /** Accepts WebSocket upgrades on `server` (HTTP routes keep working beside them). */
  attach(server: Server): void {
    this.#server = server;
    server.on('upgrade', this.#onUpgrade);
  }

  /** Publishes into a channel: kept in its history and delivered on every node (feed included for listings). */
  async publish(channel: string, data: unknown): Promise<StreamPosition> {
    const canonical = canonicalChannel(channel);
    if (canonical === null) throw badInput('channel', `unknown channel "${channel}": use maintenance:wallet:{address} or listings:{exchange}`);
    const position = await this.#deps.broker.publishToStream(PUBLICATIONS_TOPIC, canonical, data, this.context.settings.stream);
    this.#deps.metrics.published();
    return position;
  }

  /** Who is subscribed to a channel on every node (server API). */
  async presence(channel: string): ReturnType<ConnectionSlots['presenceResult']> {
    return this.context.slots.presenceResult(this.#canonical(channel));
  }

  /** How many clients and users are subscribed to a channel (server API). */
  async presenceStats(channel: string): ReturnType<ConnectionSlots['presenceStats']> {
    return this.context.slots.presenceStats(this.#canonical(channel));
  }

  /** What a channel's history keeps (server API): limit 0 gives only the position, a negative limit everything. */
  async history(channel: string, options: { limit?: number; reverse?: boolean; since?: { offset: number; epoch?: string } }): Promise<StreamState> {
    const stream = await this.#deps.broker.readStream(this.#canonical(channel), this.context.settings.stream);
    if (options.since?.epoch && options.since.epoch !== stream.epoch) throw badInput('since.epoch', 'epoch does not match the stream (unrecoverable position)');
    return { ...stream, publications: historyWindow(stream, { limit: options.limit, reverse: options.reverse, sinceOffset: options.since?.offset }) };
  }

  // Server API callers may write a wallet in any case or an exchange in capitals; clients subscribe to the canonical form.
  #canonical(channel: string): string {
    const canonical = canonicalChannel(channel);
    if (canonical === null) throw badInput('channel', `unknown channel "${channel}"`);
    return canonical;
  }

  /** A connection token for a key whose requests are signed (POST /v1/realtime/token). */
  mintConnectionToken(keyId: string, expiresAt: number): { token: string; expiresAt: number } {
    return this.context.tokens.mint(keyId, expiresAt);
  }

  /** Ends matching sessions on every node. */
  async disconnect(filter: DisconnectFilter): Promise<void> {
    await this.#deps.broker.publish(REALTIME_CONTROL_TOPIC, filter);
  }

  /** Ends every session (they may reconnect to another node) and stops listening. */
  async close(): Promise<void> {
    this.#server?.off('upgrade', this.#onUpgrade);
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.context.keyWatch.stop();
    this.context.slots.stop();
    for (const session of [...this.context.hub.sessions()]) session.end('shutdown');
    const deadline = Date.now() + 500;
    while (this.#sockets.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const ws of this.#sockets) ws.terminate();
    for (const unsubscribe of this.#unsubscribes.splice(0)) await unsubscribe().catch(() => undefined);
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node stops listening for errors on a socket it hands to 'upgrade': one reset by the client before
    // ws takes it over (a refusal being written, a handshake being verified) was an unhandled 'error'
    // that ended the process.
    socket.on('error', destroyOnError);
    const route = routeUpgrade(request.url);
    if (route === null) return refuseUpgrade(socket, 404, { error: { code: 'NOT_FOUND', message: `no WebSocket endpoint at ${request.url}` } });
    const facts = handshakeFacts(request, this.#proxyTrust);
    const place = this.#pending.admit(facts.ip);
    if (typeof place === 'string') return this.#refusePending(socket, place, facts.ip);
    // Until a session takes the place over, it is given back when the socket goes (a failed handshake).
    const handOver = releaseOnClose(socket, place);
    if (route === 'centrifuge') {
      return this.#wss.handleUpgrade(request, socket, head, (ws) => {
        handOver();
        this.#track(ws);
        new CentrifugeSession(ws, facts, this.context, place);
      });
    }
    void acceptFeed(this.context, facts, socket, (onOpen) =>
      this.#wss.handleUpgrade(request, socket, head, (ws) => {
        handOver();
        place.release();
        this.#track(ws);
        onOpen(ws);
      }),
    )
      .catch((error: unknown) => {
        // acceptFeed answers its own failures; this is for a bug in it, never a crash of the node.
        this.#deps.logger.error({ err: error }, 'feed handshake failed');
        socket.destroy();
      })
      .finally(() => {
        // A refused handshake is done with its place even while the socket drains the answer.
        if (socket.destroyed || socket.writableEnded) place.release();
      });
  }

  /** Sockets on this node that have not authenticated yet (from one address, or all). */
  pendingConnections(address?: string): number {
    return this.#pending.count(address);
  }

  #refusePending(socket: Duplex, refusal: PendingRefusal, ip: string | undefined): void {
    const retry = refusal === 'address_full' ? HANDSHAKE_RETRY.addressFull : HANDSHAKE_RETRY.nodeFull;
    const message = refusal === 'address_full' ? 'too many connections from this address are still authenticating' : 'this node has too many connections still authenticating';
    this.#deps.logger.debug({ ip, refusal }, 'refused a WebSocket handshake over the unauthenticated-socket limit');
    refuseUpgrade(socket, retry.status, { error: { code: retry.code, message } }, { 'Retry-After': String(retry.retryAfterSeconds) });
  }

  #track(ws: WebSocket): void {
    this.#sockets.add(ws);
    ws.on('close', () => this.#sockets.delete(ws));
  }

  #keepAlive(): void {
    const now = this.#deps.clock.now();
    for (const session of [...this.context.hub.sessions()]) session.keepAlive(now);
  }

  #disconnectLocal(filter: DisconnectFilter): void {
    for (const session of [...this.context.hub.sessions()]) {
      if (filter.client !== undefined && session.id !== filter.client) continue;
      if (filter.user !== undefined && session.key.userId !== filter.user) continue;
      if (filter.key !== undefined && session.key.id !== filter.key) continue;
      if (filter.client === undefined && filter.user === undefined && filter.key === undefined) continue;
      session.end('force_disconnect');
    }
  }
}

/**
 * Releases `place` when `socket` closes; the returned hand-over stops that once a session holds the
 * place. Its own function, so the listener kept on a live socket captures only these two.
 */
function releaseOnClose(socket: Duplex, place: PendingPlace): () => void {
  const release = () => place.release();
  socket.once('close', release);
  return () => socket.off('close', release);
}
