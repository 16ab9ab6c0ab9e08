import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { KeygateError } from '../core/errors.ts';
import { ERROR_STATUS } from '../core/codes.ts';

/** The error body every native route answers with. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/** Builds the standard error body. */
export function errorBody(code: string, message: string, field?: string): ErrorBody {
  return { error: field ? { code, message, field } : { code, message } };
}

function validationField(error: FastifyError): string | undefined {
  const first = error.validation?.[0];
  if (!first) return undefined;
  const missing = (first.params as { missingProperty?: string; additionalProperty?: string })?.missingProperty
    ?? (first.params as { additionalProperty?: string })?.additionalProperty;
  const path = first.instancePath.replace(/^\//, '').replaceAll('/', '.');
  return [path, missing].filter(Boolean).join('.') || undefined;
}

/** The status and standard body for any error a route threw (typed, schema validation, or unexpected). */
export function errorReply(error: FastifyError, request: FastifyRequest): { status: number; body: ErrorBody } {
  if (error instanceof KeygateError) return { status: ERROR_STATUS[error.code], body: errorBody(error.code, error.message, error.field) };
  if (error.validation) {
    const field = validationField(error);
    const where = error.validationContext ?? 'body';
    const message = field ? `${where}.${field} ${error.validation[0].message ?? 'is invalid'}` : error.message;
    return { status: 400, body: errorBody('BAD_REQUEST', message, field) };
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, body: errorBody(error.statusCode === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST', error.message) };
  }
  request.log.error({ err: error }, 'unhandled error');
  return { status: 500, body: errorBody('INTERNAL', 'internal server error') };
}

/** Maps typed errors, schema validation failures and everything else to `{error:{code,message,field?}}`. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, body } = errorReply(error, request);
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
