import assert from 'node:assert/strict';
import type { TestNode } from './harness.ts';

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

/** Calls forward-auth with the given headers (and optional query). */
export async function forwardAuth(node: TestNode, headers: Record<string, string>, query = ''): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${node.url}/v1/auth${query}`, { headers });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
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
