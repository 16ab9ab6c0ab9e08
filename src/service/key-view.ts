import { Type, type Static } from '@sinclair/typebox';
import { keyStatus, type ApiKey } from '../core/api-key.ts';

const Iso = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

/** How the native API shows a key: never a secret, times as ISO 8601. */
export const KeyViewSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scheme: Type.String(),
  tail: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
  enabled: Type.Boolean({ description: 'False while an admin has the key suspended (refused with DISABLED until resumed)' }),
  permissions: Type.Array(Type.String()),
  ipAllowlist: Type.Array(Type.String()),
  allowedExchanges: Type.Array(Type.String()),
  tier: Type.String(),
  maxConnections: Type.Integer(),
  requestsPerMinute: Type.Union([Type.Integer(), Type.Null()], { description: 'Verified requests per minute set for this key by an admin; null: the tier\'s limit applies' }),
  ownerId: Type.String(),
  organizationId: Type.String(),
  origin: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Iso,
  lastUsedAt: Iso,
  revokedAt: Iso,
  revokedBy: Type.Union([Type.String(), Type.Null()]),
  walletAddress: Type.Union([Type.String(), Type.Null()]),
  accountIndex: Type.Union([Type.Integer(), Type.Null()]),
});
export type KeyView = Static<typeof KeyViewSchema>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Renders a key for the native API at `now`. */
export function keyView(key: ApiKey, now: number): KeyView {
  return {
    id: key.id,
    name: key.name,
    scheme: key.scheme,
    tail: key.tail,
    status: keyStatus(key, now),
    enabled: key.enabled,
    permissions: [...key.permissions],
    ipAllowlist: [...key.ipAllowlist],
    allowedExchanges: [...key.allowedExchanges],
    tier: key.tier,
    maxConnections: key.maxConnections,
    requestsPerMinute: key.requestsPerMinute,
    ownerId: key.userId,
    organizationId: key.organizationId,
    origin: key.origin,
    createdAt: iso(key.createdAt)!,
    expiresAt: iso(key.expiresAt),
    lastUsedAt: iso(key.lastUsedAt),
    revokedAt: key.revokedAt !== null && key.revokedAt <= now ? iso(key.revokedAt) : null,
    revokedBy: key.revokedAt !== null && key.revokedAt <= now ? key.revokedBy : null,
    walletAddress: key.walletAddress,
    accountIndex: key.accountIndex,
  };
}
