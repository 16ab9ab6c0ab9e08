import type { FastifyBaseLogger, FastifyError, FastifyInstance } from 'fastify';
import type { BackendHealth } from '../core/backend-health.ts';
import { isBackendUnavailable } from '../core/backend-unavailable.ts';
import { ErrorCode, KeygateError } from '../core/errors.ts';
import { ERROR_STATUS } from '../core/codes.ts';
import { validationMessage, type SchemaError } from './validation-message.ts';

/** The error body every native route answers with. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/** Builds the standard error body. */
export function errorBody(code: string, message: string, field?: string): ErrorBody {
  return { error: field ? { code, message, field } : { code, message } };
}

/**
 * The status and standard body for any error a route threw (typed, schema validation, or unexpected).
 * A store that cannot be reached (a raw driver error: refused, reset, timed out, locked) is a 503
 * UNAVAILABLE the caller may retry, reported to the store's health — one log line per outage, not per
 * request. The bus reports its own outages and already throws UNAVAILABLE.
 */
export function errorReply(error: FastifyError, request: { readonly log: Pick<FastifyBaseLogger, 'error'> }, store?: BackendHealth): { status: number; body: ErrorBody } {
  // A rejection with no error object (`null`, a string) is still an unexpected failure, not a crash.
  if (typeof error !== 'object' || error === null) return unexpected(error, request);
  if (error instanceof KeygateError) return { status: ERROR_STATUS[error.code], body: errorBody(error.code, error.message, error.field) };
  if (isBackendUnavailable(error)) {
    store?.failed(error);
    return { status: ERROR_STATUS[ErrorCode.UNAVAILABLE], body: errorBody(ErrorCode.UNAVAILABLE, 'the store is unavailable; try again in a few seconds') };
  }
  if (error.validation) {
    const { message, field } = validationMessage(error.validation as SchemaError[], error.validationContext ?? 'body');
    return { status: 400, body: errorBody('BAD_REQUEST', message, field) };
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, body: errorBody(error.statusCode === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST', error.message) };
  }
  return unexpected(error, request);
}

function unexpected(error: unknown, request: { readonly log: Pick<FastifyBaseLogger, 'error'> }): { status: number; body: ErrorBody } {
  request.log.error({ err: error }, 'unhandled error');
  return { status: 500, body: errorBody('INTERNAL', 'internal server error') };
}

/** Headers an error answer carries besides its body: a retry hint while a backend is down. */
export function errorHeaders(status: number): Record<string, string> {
  return status === 503 ? { 'retry-after': '2' } : {};
}

/** Maps typed errors, schema validation failures and everything else to `{error:{code,message,field?}}`. */
export function installErrorHandler(app: FastifyInstance, health: { readonly store?: BackendHealth } = {}): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, body } = errorReply(error, request, health.store);
    return reply.status(status).headers(errorHeaders(status)).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
