import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyError } from 'fastify';
import proxyaddr from '@fastify/proxy-addr';
import type { ProxyTrust } from '../../config/proxy-trust.ts';
import type { BackendHealth } from '../../core/backend-health.ts';
import { ErrorCode } from '../../core/errors.ts';
import { errorBody, errorHeaders, errorReply } from '../error-handler.ts';
import { parseQueryString } from '../query-string.ts';
import { JSON_TYPE, type ForwardAuthResult } from './forward-auth-answer.ts';
import { FORWARD_AUTH_METHODS, type ForwardAuthAddress, type ForwardAuthCheck } from './forward-auth-check.ts';
import type { ForwardAuthCall } from './forwarded-request.ts';

export interface ForwardAuthFastPathParts {
  readonly addresses: readonly ForwardAuthAddress[];
  readonly check: ForwardAuthCheck;
  readonly proxyTrust: ProxyTrust;
  readonly logger: FastifyBaseLogger;
  readonly store?: BackendHealth;
}

const METHODS = new Set(FORWARD_AUTH_METHODS);
const NO_QUERY = Object.freeze({});

/**
 * Forward-auth calls without a body, answered straight from node:http ahead of Fastify. A proxy
 * makes one such call per client request, so routing, the request and reply objects and the hooks
 * of a general web framework are most of its cost; the check itself (forward-auth-check.ts) is the
 * one the Fastify routes run, and the answer is written the same way. Only exact addresses are
 * taken (`/v1/auth`, `/v1/auth/nginx`, `/v1/auth/traefik`, `/v1/auth/envoy`, with any query):
 * anything else, any body or content type, and every request once the server is closing goes to Fastify, whose
 * route for the same address gives the same answer (tested side by side).
 */
export class ForwardAuthFastPath {
  readonly #parts: ForwardAuthFastPathParts;
  /** Exact path → address; wildcard addresses stay with Fastify's router. */
  readonly #exact: ReadonlyMap<string, ForwardAuthAddress>;
  #open = true;

  constructor(parts: ForwardAuthFastPathParts) {
    this.#parts = parts;
    this.#exact = new Map(parts.addresses.filter((address) => !address.url.endsWith('*')).map((address) => [address.url, address]));
  }

  /** Answers `request` when it is a forward-auth call without a body; false leaves it to Fastify. */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    if (!this.#open) return false;
    const url = request.url ?? '';
    if (!url.startsWith('/v1/auth')) return false;
    const at = url.indexOf('?');
    const address = this.#exact.get(at === -1 ? url : url.slice(0, at));
    if (address === undefined || !METHODS.has(request.method ?? '')) return false;
    const { headers } = request;
    // Any body, or a content type Fastify would first have to accept, is Fastify's to handle.
    if (headers['transfer-encoding'] !== undefined || headers['content-type'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0')) return false;
    const { proxyTrust, logger } = this.#parts;
    const head = request.method === 'HEAD';
    let call: ForwardAuthCall;
    try {
      call = {
        method: request.method!,
        url,
        headers,
        query: at === -1 ? NO_QUERY : parseQueryString(url.slice(at + 1)),
        peer: request.socket.remoteAddress,
        // The address Fastify's request.ip gives for the same request and trust setting: without
        // X-Forwarded-For that is the socket's peer, whatever the trust.
        clientIp: () => (headers['x-forwarded-for'] === undefined ? request.socket.remoteAddress : proxyaddr(request, proxyTrust)),
      };
    } catch (error) {
      // Never an uncaught exception in the server's request handler: Fastify answers this one.
      logger.error({ err: error }, 'forward-auth fast path could not read a request; handed to Fastify');
      return false;
    }
    let answer: ForwardAuthResult | Promise<ForwardAuthResult>;
    try {
      answer = this.#parts.check(address, call, logger);
    } catch (error) {
      this.#refused(response, error, head);
      return true;
    }
    // A cached key's answer is written in the same tick: no promise, no microtask.
    if (!(answer instanceof Promise)) this.#answer(response, answer, head);
    else answer.then((ready) => this.#answer(response, ready, head), (error: unknown) => this.#refused(response, error, head)).catch((error: unknown) => this.#failed(response, error));
    return true;
  }

  /** A check that failed (a store down: 503): the error's answer, as Fastify's error handler gives it. */
  #refused(response: ServerResponse, error: unknown, head: boolean): void {
    try {
      const { status, body } = errorReply(error as FastifyError, { log: this.#parts.logger }, this.#parts.store);
      const headers = Object.entries(errorHeaders(status)).flat().concat('content-type', JSON_TYPE);
      this.#answer(response, { status, headers, body: JSON.stringify(body) }, head);
    } catch (failure) {
      this.#failed(response, failure);
    }
  }

  /** Writes an answer; a header Node refuses is a logged 500 (as Fastify would answer), never a crash. */
  #answer(response: ServerResponse, answer: ForwardAuthResult, head: boolean): void {
    try {
      write(response, answer, head);
    } catch (error) {
      this.#failed(response, error);
    }
  }

  /** The last resort: a 500 when nothing was sent yet, else the connection dropped; logged either way. */
  #failed(response: ServerResponse, error: unknown): void {
    this.#parts.logger.error({ err: error }, 'forward-auth fast path failed to answer');
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const body = JSON.stringify(errorBody(ErrorCode.INTERNAL, 'internal server error'));
    response.writeHead(500, { 'content-type': JSON_TYPE, 'content-length': String(Buffer.byteLength(body)) });
    response.end(body);
  }

  /** From now on every request goes to Fastify, which answers 503 while the server closes. */
  close(): void {
    this.#open = false;
  }
}

/**
 * Writes an answer as Fastify's reply would: with its length (writeHead fixes the headers before
 * end, so Node cannot add it), except on an empty answer to HEAD. The answer's list is never changed:
 * a check may hand the same answer to many requests.
 */
function write(response: ServerResponse, answer: ForwardAuthResult, head: boolean): void {
  const { headers, body } = answer;
  const length = body !== undefined ? String(Buffer.byteLength(body)) : head ? null : '0';
  response.writeHead(answer.status, length === null ? [...headers] : [...headers, 'content-length', length]);
  response.end(body);
}
