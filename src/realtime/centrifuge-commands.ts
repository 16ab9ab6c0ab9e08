import type { StreamPublication } from '../bus/broker.ts';
import { authenticateConnect, connectCredential } from './centrifuge-auth.ts';
import type { CentrifugeSession, Subscription } from './centrifuge-session.ts';
import { canPublish, canSubscribe, type ChannelDecision } from './channel-rules.ts';
import { replyError, type EndReason, type ReplyError } from '../core/codes.ts';
import { historyWindow, recoverFrom } from './recovery.ts';

/** What a handler answers: a result object, an error, or nothing (async messages). */
export type CommandResult =
  | { readonly result: Record<string, unknown>; readonly disconnect?: { reason: EndReason; message?: string } }
  | { readonly error: ReplyError; readonly disconnect?: { reason: EndReason; message?: string } }
  | 'no_reply';

/** Every command handler has this signature; the session has checked state and id already. */
export type CommandHandler = (session: CentrifugeSession, request: Record<string, unknown>) => Promise<CommandResult>;

const fail = (error: ReplyError): CommandResult => ({ error });

function channelOf(request: Record<string, unknown>): string | null {
  return typeof request.channel === 'string' && request.channel !== '' ? request.channel : null;
}

function refused(decision: Exclude<ChannelDecision, { allowed: true }>): CommandResult {
  return fail(replyError(decision.error, decision.message));
}

function wirePublications(publications: readonly StreamPublication[]) {
  return publications.map((p) => ({ data: p.data, offset: p.offset }));
}

const connect: CommandHandler = async (session, request) => {
  const { context } = session;
  const mark = context.keyWatch.mark();
  const identity = await authenticateConnect(context, connectCredential(request, session.handshake), session.handshake);
  if (session.closed) return 'no_reply';
  if ('code' in identity) return fail(identity);
  const { key } = identity;
  if (!(await context.slots.acquireConnection(key.id, session.id, key.maxConnections))) {
    return fail(replyError('LIMIT_EXCEEDED', `API key allows at most ${key.maxConnections} simultaneous connections`));
  }
  if (session.closed) {
    await context.slots.releaseConnection(key.id, session.id);
    return 'no_reply';
  }
  session.markConnected(key, identity.ownerWallets, identity.tokenExpiresAt);
  session.afterReply(() => context.keyWatch.settle(key.id, mark));
  const result: Record<string, unknown> = {
    client: session.id,
    version: context.settings.version,
    ping: Math.round(context.settings.pingIntervalMs / 1000),
    pong: true,
    node: context.nodeId,
  };
  if (identity.tokenExpiresAt !== null) {
    result.expires = true;
    result.ttl = Math.max(1, Math.floor((identity.tokenExpiresAt - context.clock.now()) / 1000));
  }
  return { result };
};

const subscribe: CommandHandler = async (session, request) => {
  const { context } = session;
  const channel = channelOf(request);
  if (channel === null) return fail(replyError('BAD_REQUEST', 'channel required'));
  if (session.subscriptions.has(channel)) return fail(replyError('ALREADY_SUBSCRIBED'));
  const decision = canSubscribe(channel, session.key, session.ownerWallets, context.settings.channels);
  if (!decision.allowed) return refused(decision);
  // Listen before reading the stream: anything published meanwhile is buffered, then deduplicated by offset.
  const sub: Subscription = { offset: 0, epoch: '', buffer: [] };
  session.subscriptions.set(channel, sub);
  context.hub.subscribe(channel, session);
  try {
    return await completeSubscribe(session, channel, sub, request);
  } catch (error) {
    session.dropSubscription(channel);
    throw error;
  }
};

async function completeSubscribe(session: CentrifugeSession, channel: string, sub: Subscription, request: Record<string, unknown>): Promise<CommandResult> {
  const { context } = session;
  const recovering = request.recover === true && context.settings.recoverable;
  const stream = await context.broker.readStream(channel, { ...context.settings.stream, withPublications: recovering });
  if (session.closed || session.subscriptions.get(channel) !== sub) return 'no_reply';
  await context.slots.join(channel, session.id, session.key.userId);
  if (session.closed) {
    // The session's clean-up ran while we joined and found nothing to release; release it here.
    await context.slots.leave(channel, session.id, session.key.userId);
    return 'no_reply';
  }
  sub.offset = stream.offset;
  sub.epoch = stream.epoch;
  const result: Record<string, unknown> = { epoch: stream.epoch, offset: stream.offset };
  if (context.settings.recoverable) result.recoverable = true;
  if (request.positioned === true) result.positioned = true;
  if (recovering) {
    const recovery = recoverFrom(stream, request.offset, request.epoch);
    result.was_recovering = true;
    result.recovered = recovery.recovered;
    if (recovery.publications.length > 0) result.publications = wirePublications(recovery.publications);
  }
  session.afterReply(() => {
    const pending = sub.buffer ?? [];
    sub.buffer = null;
    for (const p of pending) session.deliver(channel, p.frame, p.offset, p.epoch);
  });
  return { result };
}

const unsubscribe: CommandHandler = async (session, request) => {
  const channel = channelOf(request);
  if (channel === null) return fail(replyError('BAD_REQUEST', 'channel required'));
  session.dropSubscription(channel);
  return { result: {} };
};

const publish: CommandHandler = async (session, request) => {
  const channel = channelOf(request);
  if (channel === null) return fail(replyError('BAD_REQUEST', 'channel required'));
  const decision = canPublish(channel, session.key, session.ownerWallets, session.context.settings.channels);
  if (!decision.allowed) return refused(decision);
  await session.context.publish(channel, request.data ?? null);
  return { result: {} };
};

const history: CommandHandler = async (session, request) => {
  const { context } = session;
  const channel = channelOf(request);
  if (channel === null) return fail(replyError('BAD_REQUEST', 'channel required'));
  const decision = canSubscribe(channel, session.key, session.ownerWallets, context.settings.channels);
  if (!decision.allowed) return refused(decision);
  if (!context.settings.recoverable) return fail(replyError('NOT_AVAILABLE', 'history is disabled'));
  const stream = await context.broker.readStream(channel, context.settings.stream);
  const since = request.since as { offset?: unknown; epoch?: unknown } | undefined;
  if (since && typeof since.epoch === 'string' && since.epoch !== '' && since.epoch !== stream.epoch) {
    return fail(replyError('UNRECOVERABLE_POSITION'));
  }
  const publications = historyWindow(stream, {
    limit: typeof request.limit === 'number' ? request.limit : 0,
    reverse: request.reverse === true,
    sinceOffset: since ? Number(since.offset ?? 0) : undefined,
  });
  return { result: { publications: wirePublications(publications), epoch: stream.epoch, offset: stream.offset } };
};

const presence: CommandHandler = async (session, request) => {
  const channel = channelOf(request);
  if (channel === null) return fail(replyError('BAD_REQUEST', 'channel required'));
  const decision = canSubscribe(channel, session.key, session.ownerWallets, session.context.settings.channels);
  if (!decision.allowed) return refused(decision);
  return { result: await session.context.slots.presenceResult(channel) };
};

const presenceStats: CommandHandler = async (session, request) => {
  const channel = channelOf(request);
  if (channel === null) return fail(replyError('BAD_REQUEST', 'channel required'));
  const decision = canSubscribe(channel, session.key, session.ownerWallets, session.context.settings.channels);
  if (!decision.allowed) return refused(decision);
  return { result: await session.context.slots.presenceStats(channel) };
};

const refresh: CommandHandler = async (session, request) => {
  const { context } = session;
  if (typeof request.token !== 'string') return fail(replyError('BAD_REQUEST', 'token required'));
  const checked = context.tokens.check(request.token, context.clock.now());
  if (checked.kind === 'expired') return fail(replyError('TOKEN_EXPIRED', 'connection token expired'));
  if (checked.kind === 'invalid' || checked.keyId !== session.key.id) {
    return { error: replyError('UNAUTHORIZED', 'invalid connection token'), disconnect: { reason: 'invalid_token', message: 'invalid connection token' } };
  }
  session.setTokenExpiry(checked.expiresAt);
  const ttl = Math.max(1, Math.floor((checked.expiresAt - context.clock.now()) / 1000));
  return { result: { client: session.id, version: context.settings.version, expires: true, ttl } };
};

const ping: CommandHandler = async () => ({ result: {} });
const send: CommandHandler = async () => 'no_reply';
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
