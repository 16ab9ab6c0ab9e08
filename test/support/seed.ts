import assert from 'node:assert/strict';
import type { TestNode } from './harness.ts';
import type { SignedRequest } from './signers.ts';

/** A key created through the native API: its view plus the secret shown once. */
export interface SeededKey {
  readonly id: string;
  readonly key: string;
  readonly tail: string;
  readonly [field: string]: unknown;
}

/** Creates a key through POST /v1/keys and fails the test if that does not answer 201. */
export async function seedKey(node: TestNode, token: string, body: Record<string, unknown> = {}): Promise<SeededKey> {
  const created = await node.request('POST', '/v1/keys', { token, body: { name: 'seeded key', permissions: ['read'], ...body } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body as SeededKey;
}

/**
 * Calls forward-auth (GET /v1/auth, or `path`) with the given headers and query. Its answers have no
 * body: `body` is rebuilt from X-Keygate-Code and X-Keygate-Reason in the standard error shape, so
 * assertError reads them as any other refusal.
 */
export async function forwardAuth(node: TestNode, headers: Record<string, string>, query = '', path = '/v1/auth'): Promise<{ status: number; body: any; headers: Headers; text: string }> {
  const response = await fetch(`${node.url}${path}${query}`, { headers });
  return forwardAuthResult(response);
}

/** Reads a forward-auth answer: its code and reason headers as `body` (see forwardAuth), and the raw body text. */
export async function forwardAuthResult(response: Response): Promise<{ status: number; body: any; headers: Headers; text: string }> {
  const text = await response.text();
  const code = response.headers.get('x-keygate-code');
  const body = response.status === 200 ? { code } : { error: { code, message: response.headers.get('x-keygate-reason') } };
  return { status: response.status, body, headers: response.headers, text };
}

/** Calls the verify API with the node's server credential. */
export async function verifyKey(node: TestNode, body: Record<string, unknown>) {
  return node.request('POST', '/v1/keys/verify', { headers: { authorization: `Bearer ${node.keygate.serverToken}` }, body });
}

/** Asserts the standard error body and returns it. */
export function assertError(response: { status: number; body: any }, status: number, code: string, field?: string): { code: string; message: string; field?: string } {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.equal(typeof response.body?.error?.message, 'string', JSON.stringify(response.body));
  assert.equal(response.body.error.code, code, JSON.stringify(response.body));
  if (field !== undefined) assert.equal(response.body.error.field, field, JSON.stringify(response.body));
  assert.ok(response.body.error.message.length > 0);
  return response.body.error;
}

/** Creates an HMAC key pair (spec 001, POST /frontoffice/api/key) for a new user; fails the test unless it answers 200. */
export async function seedHmacPair(node: TestNode): Promise<{ publicKey: string; privateKey: string }> {
  const user = await node.addUser();
  const created = await node.request('POST', '/frontoffice/api/key', { token: user.token, body: { name: 'bot', isInfo: true, isTrade: false, IpWhiteList: [] } });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  return created.body as { publicKey: string; privateKey: string };
}

/** Asks /v1/auth/nginx about a signed request the way nginx's auth_request does (X-Original-URI and -Method). */
export function askAsNginx(node: TestNode, signed: SignedRequest): Promise<Response> {
  return fetch(`${node.url}/v1/auth/nginx`, { headers: { ...signed.headers, 'x-original-uri': signed.url, 'x-original-method': signed.method } });
}
