import { randomUUID } from 'node:crypto';
import type { ApiKey } from '../../src/core/api-key.ts';

/** A live opaque key record for `owner`, as a repository stores it; `overrides` set what a test is about. */
export function apiKeyRecord(owner: { readonly organizationId: string; readonly userId: string }, overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    id: randomUUID(),
    organizationId: owner.organizationId,
    userId: owner.userId,
    name: 'a key',
    scheme: 'opaque',
    lookup: randomUUID().replaceAll('-', ''),
    tail: randomUUID().slice(-6),
    permissions: ['read'],
    ipAllowlist: [],
    allowedExchanges: ['*'],
    tier: 'basic',
    maxConnections: 2,
    requestsPerMinute: null,
    expiresAt: null,
    createdAt: Date.UTC(2026, 0, 1),
    lastUsedAt: null,
    revokedAt: null,
    revokedBy: null,
    deletedAt: null,
    secretCiphertext: null,
    publicKey: null,
    walletAddress: null,
    accountIndex: null,
    origin: 'native',
    enabled: true,
    ...overrides,
  };
}
