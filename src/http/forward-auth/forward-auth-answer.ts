import type { FastifyReply } from 'fastify';
import { VERDICT_STATUS } from '../../core/codes.ts';
import type { RateLimitState } from '../../core/rate-limit-state.ts';
import type { Verdict } from '../../core/verdict.ts';
import { errorBody } from '../error-handler.ts';

/** Longest X-Keygate-Reason sent: a reason, not a document. */
const MAX_REASON_LENGTH = 160;

/** A verdict message made safe for a header value: printable ASCII only, and short. */
export function headerSafeReason(message: string): string {
  const printable = message.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > MAX_REASON_LENGTH ? `${printable.slice(0, MAX_REASON_LENGTH - 3)}...` : printable;
}

/** Answers a forward-auth check with a verdict. */
export type ForwardAuthAnswer = (reply: FastifyReply, verdict: Verdict, json: boolean) => FastifyReply;

/** The X-RateLimit-* headers of a key with a request limit (the names Kong, Unkey and GitHub send). */
function rateLimitHeaders(reply: FastifyReply, state: RateLimitState): void {
  reply.header('x-ratelimit-limit', String(state.limit)).header('x-ratelimit-remaining', String(state.remaining)).header('x-ratelimit-reset', String(state.resetSeconds));
}

/**
 * Builds the one function that writes forward-auth answers. By default an answer has no body — the
 * status, `X-Keygate-Code`, `X-Keygate-Reason` on refusals, the identity headers on 200 (built once
 * per key load, on its cache entry) — because a proxy (nginx's auth_request) cannot keep a connection
 * open when the auth answer has one. A key with a request limit adds `X-RateLimit-Limit`, `-Remaining`
 * and `-Reset` (seconds) to its 200 and `Retry-After` to its 429. `json` adds the JSON body for
 * callers whose clients read it (the `?body=json` opt-in).
 */
export function forwardAuthAnswer(): ForwardAuthAnswer {
  return (reply, verdict, json) => {
    if (verdict.valid) {
      reply.status(200).header('x-keygate-code', 'VALID');
      if (verdict.identityHeaders) reply.headers(verdict.identityHeaders);
      if (verdict.rateLimit) rateLimitHeaders(reply, verdict.rateLimit);
      return json ? reply.type('application/json; charset=utf-8').send(JSON.stringify({ valid: true, code: 'VALID', keyId: verdict.key.id })) : reply.send();
    }
    const status = VERDICT_STATUS[verdict.code];
    reply.status(status).header('x-keygate-code', verdict.code).header('x-keygate-reason', headerSafeReason(verdict.message));
    if (status === 401) reply.header('www-authenticate', 'ApiKey realm="keygate"');
    if (verdict.rateLimit) {
      rateLimitHeaders(reply, verdict.rateLimit);
      if (verdict.code === 'RATE_LIMITED') reply.header('retry-after', String(verdict.rateLimit.resetSeconds));
    }
    return json ? reply.send(errorBody(verdict.code, verdict.message)) : reply.send();
  };
}
