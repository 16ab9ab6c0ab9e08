import type { ApiKey } from '../core/api-key.ts';
import type { RequestFacts } from '../core/request-facts.ts';
import { connectErrorFor, replyError, type ReplyError } from '../core/codes.ts';
import { ConnectionTokens } from './connection-token.ts';
import type { RealtimeContext } from './realtime-context.ts';

/** Who connected, and until when a connection token lets them stay (null: as long as the key lives). */
export interface ConnectIdentity {
  readonly key: ApiKey;
  readonly ownerWallets: readonly string[];
  readonly tokenExpiresAt: number | null;
}

/** The API key or connection token of a connect: `connect.token`, then `connect.headers`, then the handshake. */
export function connectCredential(request: Record<string, unknown>, handshake: RequestFacts): string | undefined {
  if (typeof request.token === 'string' && request.token !== '') return request.token;
  const headers = request.headers;
  if (headers && typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
      if (name.toLowerCase() === 'x-api-key' && typeof value === 'string') return value;
    }
  }
  const fromHandshake = handshake.headers['x-api-key'];
  return typeof fromHandshake === 'string' ? fromHandshake : undefined;
}

/**
 * Authenticates a Centrifuge connect: an API key goes through the verifier like any request; a
 * connection token (signed schemes) is checked and its key re-checked for its current status. The
 * owner's wallets come with the verifier's cached key: a cached key connects without a store read.
 * A refusal is a reply error; a store or broker failure throws (the session answers it as temporary).
 */
export async function authenticateConnect(context: Pick<RealtimeContext, 'verifier' | 'tokens' | 'clock'>, credential: string | undefined, handshake: RequestFacts): Promise<ConnectIdentity | ReplyError> {
  const { verifier, tokens, clock } = context;
  let verdict;
  let tokenExpiresAt: number | null = null;
  if (credential !== undefined && ConnectionTokens.looksLikeToken(credential)) {
    const checked = tokens.check(credential, clock.now());
    if (checked.kind === 'invalid') return replyError('UNAUTHORIZED', 'invalid connection token');
    if (checked.kind === 'expired') return replyError('TOKEN_EXPIRED', 'connection token expired');
    verdict = await verifier.recheckById(checked.keyId, handshake.ip);
    tokenExpiresAt = checked.expiresAt;
  } else {
    const headers = { ...handshake.headers };
    if (credential !== undefined) headers['x-api-key'] = credential;
    verdict = await verifier.verify({ ...handshake, headers });
  }
  if (!verdict.valid) return connectErrorFor(verdict.code, verdict.message);
  return { key: verdict.key, ownerWallets: verdict.ownerWallets ?? [], tokenExpiresAt };
}
