import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { HttpDependencies } from '../http-dependencies.ts';
import { ErrorSchema } from '../error-schema.ts';
import { clientAddress } from '../client-address.ts';

const Address = Type.String({ pattern: '^(0x|0X)?[0-9a-fA-F]{40}$', 'x-expected': 'an Ethereum address: 0x followed by 40 hex digits', description: 'Ethereum address that owns the API key', examples: ['0x742d35cc6634c0532925a3b844bc9e7595f2bd18'] });
const PublicKey = Type.String({ minLength: 64, maxLength: 64, pattern: '^[0-9a-fA-F]{64}$', 'x-expected': 'exactly 64 hex digits, no 0x', description: 'Hex-encoded Ed25519 public key; it becomes the API key' });
const ApiWalletName = Type.String({ minLength: 1, maxLength: 64, description: 'Name of the API wallet (part of the signed message)' });
const Signature = Type.Object(
  {
    r: Type.String({ description: '0x + 64 hex digits' }),
    s: Type.String({ description: '0x + 64 hex digits' }),
    v: Type.Union([Type.String(), Type.Integer()], { description: '"0x1b"/"0x1c", 27/28 or 0/1' }),
  },
  { additionalProperties: false, description: 'EIP-191 personal_sign signature by the wallet that owns address, split into r, s, v' },
);

const CreateBody = Type.Object(
  {
    address: Address,
    publicKey: PublicKey,
    apiWalletName: ApiWalletName,
    signature: Signature,
    validUntil: Type.Optional(Type.Integer({ minimum: 1, description: 'Expiry, epoch ms, 1 to 180 days ahead; default 14 days' })),
  },
  { additionalProperties: false },
);
const RevokeBody = Type.Object({ address: Address, publicKey: PublicKey, apiWalletName: ApiWalletName, signature: Signature }, { additionalProperties: false });

const Created = Type.Object({
  apiKey: Type.String({ description: 'The API key (the Ed25519 public key, lowercase hex)' }),
  address: Type.String({ description: 'Owning address, lowercase' }),
  createdAt: Type.Integer({ description: 'Creation time, epoch microseconds' }),
  accountIndex: Type.Integer({ minimum: 0, maximum: 9 }),
  validUntil: Type.Integer({ description: 'Expiry, epoch ms' }),
});
const Revoked = Type.Object({
  apiKey: Type.String(),
  address: Type.String(),
  revokedAt: Type.Integer({ description: 'Revocation time, epoch microseconds' }),
  accountIndex: Type.Integer({ minimum: 0, maximum: 9 }),
});

const MICROS_PER_MS = 1000;

/** Spec 003: wallet-signed registration and revocation of Ed25519 keys; no API key or token needed. */
export async function walletKeysProfile(app: FastifyInstance, parts: Pick<HttpDependencies, 'walletKeys'>): Promise<void> {
  const tags = ['wallet keys (spec 003)'];

  app.post('/v1/createApiKey', {
    schema: {
      tags,
      summary: 'Create an API key for an Ethereum address, authorised by a personal_sign of {"apiWalletName","apiWalletPublicKey","validUntil"}',
      body: CreateBody,
      response: { 200: Created, 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema },
    },
    handler: async (request) => {
      const key = await parts.walletKeys.register(request.body as typeof CreateBody.static, clientAddress(request));
      return {
        apiKey: key.lookup,
        address: key.walletAddress!,
        createdAt: key.createdAt * MICROS_PER_MS,
        accountIndex: key.accountIndex!,
        validUntil: key.expiresAt!,
      };
    },
  });

  app.post('/v1/revokeApiKey', {
    schema: {
      tags,
      summary: 'Revoke an API key, authorised by a personal_sign of {"apiWalletName","apiWalletPublicKey"} from the wallet that created it',
      body: RevokeBody,
      response: { 200: Revoked, 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema },
    },
    handler: async (request) => {
      const key = await parts.walletKeys.revoke(request.body as typeof RevokeBody.static, clientAddress(request));
      return { apiKey: key.lookup, address: key.walletAddress!, revokedAt: key.revokedAt! * MICROS_PER_MS, accountIndex: key.accountIndex! };
    },
  });
}
