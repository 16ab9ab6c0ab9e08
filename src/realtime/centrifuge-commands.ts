import type { StreamPublication } from '../bus/broker.ts';
import type { ApiKey } from '../core/api-key.ts';
import type { RequestFacts } from '../core/request-facts.ts';
import { replyError, type EndReason, type ReplyError } from '../core/codes.ts';
import { authenticateConnect, connectCredential } from './centrifuge-auth.ts';
import { ChannelSubscription, type Subscriber } from './centrifuge-subscription.ts';
import { canPublish, canSubscribe, type ChannelDecision } from './channel-rules.ts';
import { historyWindow, recoverFrom } from './recovery.ts';
import type { RealtimeContext } from './realtime-context.ts';

/**
 * What a handler sees of its session: read-only facts and the sink new subscriptions deliver to.
 * Handlers never change the session; they return an outcome that the session applies (or, when it
 * closed meanwhile, releases).
 */
export interface SessionView extends Subscriber {
  readonly id: string;
  readonly handshake: RequestFacts;
  readonly context: RealtimeContext;
  /** The key the session connected with (handlers other than connect run only once connected). */
  readonly key: ApiKey;
  /** The key owner's wallets, lowercase. */
  readonly ownerWallets: readonly string[];
  readonly subscriptionCount: number;
  hasSubscription(channel: string): boolean;
}

/** A session ending that a reply comes with. */
export interface Disconnect {
  readonly reason: EndReason;
  readonly message?: string;
}

/** What a command handler returns; the session applies it. */
export type CommandOutcome =
  | { readonly kind: 'reply'; readonly result: Record<string, unknown> }
  | { readonly kind: 'error'; readonly error: ReplyError; readonly disconnect?: Disconnect }
  | {
      readonly kind: 'connected';
      readonly result: Record<string, unknown>;
      readonly key: ApiKey;
      readonly ownerWallets: readonly string[];
      /** When the connection token lapses (null: as long as the key lives). */
      readonly tokenExpiresAt: number | null;
      /** The key watch's mark from before authentication (an event racing the connect is settled after the reply). */
      readonly mark: number;
    }
  /** The subscription already listens and is in presence: applying adds it, releasing undoes both. */
  | { readonly kind: 'subscribed'; readonly result: Record<string, unknown>; readonly subscription: ChannelSubscription }
  | { readonly kind: 'unsubscribed'; readonly channel: string }
  | { readonly kind: 'refreshed'; readonly result: Record<string, unknown>; readonly tokenExpiresAt: number }
  /** Nothing to answer (`send`). */
  | { readonly kind: 'none' };

/** Every command handler has this signature; the session has checked state and id already. */
export type CommandHandler = (session: SessionView, request: Record<string, unknown>) => Promise<CommandOutcome>;

const fail = (error: ReplyError): CommandOutcome => ({ kind: 'error', error });
const reply = (result: Record<string, unknown>): CommandOutcome => ({ kind: 'reply', result });

function channelOf(request: Record<string, unknown>): string | null {
  return typeof request.channel === 'string' && request.channel !== '' ? request.channel : null;
}

function refused(decision: Exclude<ChannelDecision, { allowed: true }>): CommandOutcome {
  return fail(replyError(decision.error, decision.message));
}

function wirePublications(publications: readonly StreamPublication[]) {
  return publications.map((p) => ({ data: p.data, offset: p.offset }));
}

function ttlSeconds(context: RealtimeContext, expiresAt: number): number {
  return Math.max(1, Math.floor((expiresAt - context.clock.now()) / 1000));
}

const connect: CommandHandler = async (session, request) => {
  const { context } = session;
  const mark = context.keyWatch.mark();
  const identity = await authenticateConnect(context, connectCredential(request, session.handshake), session.handshake);
  if ('code' in identity) return fail(identity);
  const { key } = identity;
  if (!(await context.slots.acquireConnection(key.id, session.id, key.maxConnections))) {
    return fail(replyError('LIMIT_EXCEEDED', `API key allows at most ${key.maxConnections} simultaneous connections`));
  }
  const result: Record<string, unknown> = {
    client: session.id,
    version: context.settings.version,
    ping: Math.round(context.settings.pingIntervalMs / 1000),
    pong: true,
    node: context.nodeId,
  };
  if (identity.tokenExpiresAt !== null) {
    result.expires = true;
    result.ttl = ttlSeconds(context, identity.tokenExpiresAt);
  }
  return { kind: 'connected', result, key, ownerWallets: identity.ownerWallets, tokenExpiresAt: identity.tokenExpiresAt, mark };
};

const subscribe: CommandHandler = async (session, request) => {
  const { context } = session;
  const channel = channelOf(request);
  if (channel === null) return fail(replyError('BAD_REQUEST', 'channel required'));
  if (session.hasSubscription(channel)) return fail(replyError('ALREADY_SUBSCRIBED'));
  const limit = context.settings.maxSubscriptionsPerConnection;
  if (session.subscriptionCount >= limit) return fail(replyError('LIMIT_EXCEEDED', `at most ${limit} subscriptions per connection`));
  const decision = canSubscribe(channel, session.key, session.ownerWallets, context.settings.channels);
  if (!decision.allowed) return refused(decision);
  const subscription = new ChannelSubscription(channel, session);
  // Listen before reading the stream: anything published meanwhile is held, then deduplicated by offset.
  subscription.listen();
  try {
    const recovering = request.recover === true && context.settings.recoverable;
    const stream = await context.broker.readStream(channel, { ...context.settings.stream, withPublications: recovering });
    await subscription.join();
    subscription.position(stream);
    const result: Record<string, unknown> = { epoch: stream.epoch, offset: stream.offset };
    if (context.settings.recoverable) result.recoverable = true;
    if (request.positioned === true) result.positioned = true;
    if (recovering) {
      const recovery = recoverFrom(stream, request.offset, request.epoch);
      result.was_recovering = true;
      result.recovered = recovery.recovered;
      if (recovery.publications.length > 0) result.publications = wirePublications(recovery.publications);
    }
    return { kind: 'subscribed', result, subscription };
  } catch (error) {
    subscription.release();
    throw error;
  }
};

const unsubscribe: CommandHandler = async (_session, request) => {
  const channel = channelOf(request);
  if (channel === null) return fail(replyError('BAD_REQUEST', 'channel required'));
  return { kind: 'unsubscribed', channel };
};

const publish: CommandHandler = async (session, request) => {
  const channel = channelOf(request);
  if (channel === null) return fail(replyError('BAD_REQUEST', 'channel required'));
  const decision = canPublish(channel, session.key, session.ownerWallets, session.context.settings.channels);
  if (!decision.allowed) return refused(decision);
  await session.context.publish(channel, request.data ?? null);
  return reply({});
};

/** The number of publications a history call returns: the asked `limit`, 0 for none, capped (a negative limit means as many as allowed). */
export function historyLimit(requested: unknown, cap: number): number {
  if (typeof requested !== 'number' || !Number.isFinite(requested)) return 0;
  if (requested < 0) return cap;
  return Math.min(Math.floor(requested), cap);
}

const history: CommandHandler = async (session, request) => {
  const { context } = session;
  const channel = channelOf(request);
  if (channel === null) return fail(replyError('BAD_REQUEST', 'channel required'));
  const decision = canSubscribe(channel, session.key, session.ownerWallets, context.settings.channels);
  if (!decision.allowed) return refused(decision);
  if (!context.settings.recoverable) return fail(replyError('NOT_AVAILABLE', 'history is disabled'));
  const limit = historyLimit(request.limit, context.settings.historyLimit);
  const stream = await context.broker.readStream(channel, { ...context.settings.stream, withPublications: limit > 0 });
  const since = request.since as { offset?: unknown; epoch?: unknown } | undefined;
  if (since && typeof since.epoch === 'string' && since.epoch !== '' && since.epoch !== stream.epoch) {
    return fail(replyError('UNRECOVERABLE_POSITION'));
  }
  const publications = historyWindow(stream, { limit, reverse: request.reverse === true, sinceOffset: since ? Number(since.offset ?? 0) : undefined });
  return reply({ publications: wirePublications(publications), epoch: stream.epoch, offset: stream.offset });
};

// Presence answers only with the caller's organization: on a shared channel (`listings:*`) a client
// never learns other organizations' user or client ids, nor how many of them listen.
const presence: CommandHandler = async (session, request) => {
  const channel = channelOf(request);
  if (channel === null) return fail(replyError('BAD_REQUEST', 'channel required'));
  const decision = canSubscribe(channel, session.key, session.ownerWallets, session.context.settings.channels);
  if (!decision.allowed) return refused(decision);
  return reply(await session.context.slots.presenceResult(channel, session.key.organizationId));
};

const presenceStats: CommandHandler = async (session, request) => {
  const channel = channelOf(request);
  if (channel === null) return fail(replyError('BAD_REQUEST', 'channel required'));
  const decision = canSubscribe(channel, session.key, session.ownerWallets, session.context.settings.channels);
  if (!decision.allowed) return refused(decision);
  return reply(await session.context.slots.presenceStats(channel, session.key.organizationId));
};

const refresh: CommandHandler = async (session, request) => {
  const { context } = session;
  if (typeof request.token !== 'string') return fail(replyError('BAD_REQUEST', 'token required'));
  const checked = context.tokens.check(request.token, context.clock.now());
  if (checked.kind === 'expired') return fail(replyError('TOKEN_EXPIRED', 'connection token expired'));
  if (checked.kind === 'invalid' || checked.keyId !== session.key.id) {
    return { kind: 'error', error: replyError('UNAUTHORIZED', 'invalid connection token'), disconnect: { reason: 'invalid_token', message: 'invalid connection token' } };
  }
  const result = { client: session.id, version: context.settings.version, expires: true, ttl: ttlSeconds(context, checked.expiresAt) };
  return { kind: 'refreshed', result, tokenExpiresAt: checked.expiresAt };
};

const ping: CommandHandler = async () => reply({});
const send: CommandHandler = async () => ({ kind: 'none' });
const notAvailable: CommandHandler = async () => fail(replyError('METHOD_NOT_FOUND'));

/** One handler per protocol method. */
export const COMMAND_HANDLERS = {
  connect,
  subscribe,
  unsubscribe,
  publish,
  history,
  presence,
  presence_stats: presenceStats,
  refresh,
  ping,
  send,
  rpc: notAvailable,
  sub_refresh: notAvailable,
} satisfies Record<string, CommandHandler>;

/** A method this table answers. */
export type HandledMethod = keyof typeof COMMAND_HANDLERS;
