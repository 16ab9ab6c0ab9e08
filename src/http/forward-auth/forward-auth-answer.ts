import type { FastifyReply } from 'fastify';
import type { ApiKey } from '../../core/api-key.ts';
import { VERDICT_STATUS } from '../../core/codes.ts';
import { identityHeadersOf, type IdentityHeader } from '../../core/identity-headers.ts';
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

/**
 * Builds the one function that writes forward-auth answers. By default an answer has no body — the
 * status, `X-Keygate-Code`, `X-Keygate-Reason` on refusals, the identity headers on 200 — because a
 * proxy (nginx's auth_request) cannot keep a connection open when the auth answer has one. `json`
 * adds the JSON body for callers whose clients read it (the `?body=json` opt-in).
 */
export function forwardAuthAnswer(identityHeaders: readonly IdentityHeader[]): ForwardAuthAnswer {
  // Cached keys are the same object on every request, so their headers are built once per load.
  const built = new WeakMap<ApiKey, Record<string, string>>();
  const allowedHeaders = (key: ApiKey): Record<string, string> => {
    let headers = built.get(key);
    if (!headers) {
      headers = { ...identityHeadersOf(key, identityHeaders), 'x-keygate-code': 'VALID' };
      built.set(key, headers);
    }
    return headers;
  };
  return (reply, verdict, json) => {
    if (verdict.valid) {
      reply.status(200).headers(allowedHeaders(verdict.key));
      return json ? reply.type('application/json; charset=utf-8').send(JSON.stringify({ valid: true, code: 'VALID', keyId: verdict.key.id })) : reply.send();
    }
    const status = VERDICT_STATUS[verdict.code];
    reply.status(status).header('x-keygate-code', verdict.code).header('x-keygate-reason', headerSafeReason(verdict.message));
    if (status === 401) reply.header('www-authenticate', 'ApiKey realm="keygate"');
    return json ? reply.send(errorBody(verdict.code, verdict.message)) : reply.send();
  };
}
