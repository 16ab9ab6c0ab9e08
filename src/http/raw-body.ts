import type { FastifyInstance } from 'fastify';
import { badInput } from '../core/errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received, for schemes whose signature covers it. */
    rawBody?: string;
  }
}

/** Parses JSON bodies while keeping the raw text; an empty body parses to undefined instead of failing. */
export function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (request, body, done) => {
    const text = body as string;
    request.rawBody = text;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(badInput('body', 'request body is not valid JSON'), undefined);
    }
  });
}
