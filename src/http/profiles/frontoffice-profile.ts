import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { keyStatus, type ApiKey } from '../../core/api-key.ts';
import { badInput } from '../../core/errors.ts';
import { isUuid } from '../../core/ids.ts';
import type { HttpDependencies } from '../http-dependencies.ts';
import { ErrorSchema } from '../error-schema.ts';

// Spec 001 maps its two flags onto catalog permissions the verifier enforces.
const INFO = 'info';
const TRADE = 'trade';

const ipList = (description: string) => Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100, description });

/** The document's create body: all four fields are required. */
const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: 'The name of the API key' }),
    isInfo: Type.Boolean({ description: 'If true, the key can retrieve market data' }),
    isTrade: Type.Boolean({ description: 'If true, the key can place orders' }),
    IpWhiteList: ipList('IP addresses in the safelist (the document spells it with a capital I); [] allows any address'),
    ipWhiteList: Type.Optional(ipList('Accepted in place of IpWhiteList (the spelling responses use); give one of the two')),
  },
  { additionalProperties: false, title: 'Create a key pair' },
);
/** No body (or `{}`) is the document's "obtain API keys" call. */
const ListBody = Type.Object({}, { additionalProperties: false, title: 'List your key pairs', description: 'No body, or an empty object' });
const CreateOrListBody = Type.Optional(Type.Union([ListBody, CreateBody]));

const KeyEntry = Type.Object({
  publicKey: Type.String({ format: 'uuid' }),
  name: Type.String(),
  isInfo: Type.Boolean(),
  isTrade: Type.Boolean(),
  ipWhiteList: Type.Array(Type.String()),
});
const CreatedEntry = Type.Object({
  publicKey: Type.String({ format: 'uuid' }),
  privateKey: Type.String({ format: 'uuid', description: 'Shown only in this response' }),
  name: Type.String(),
  isInfo: Type.Boolean(),
  isTrade: Type.Boolean(),
  ipWhiteList: Type.Array(Type.String()),
});
const PublicKeyParam = Type.Object({ public_key: Type.String({ maxLength: 64 }) });

/** How spec 001 shows a key. */
function entry(key: ApiKey) {
  return {
    publicKey: key.lookup,
    name: key.name,
    isInfo: key.permissions.includes(INFO),
    isTrade: key.permissions.includes(TRADE),
    ipWhiteList: [...key.ipAllowlist],
  };
}

/** Spec 001: UUID key pairs under /frontoffice/api/key, HMAC-signed requests. */
export async function frontofficeProfile(app: FastifyInstance, parts: Pick<HttpDependencies, 'keys' | 'clock'>): Promise<void> {
  const { keys, clock } = parts;
  const tags = ['frontoffice (spec 001)'];
  const security = [{ bearerAuth: [] }];

  app.post('/frontoffice/api/key', {
    schema: {
      tags,
      security,
      summary: 'No body: list your API keys. With a body: create a key pair (the private key is shown once; at most 3 per user)',
      description:
        'A create body needs name, isInfo, isTrade and IpWhiteList; a body missing some is refused with one 400 naming all of them. ipWhiteList (lowercase) is accepted in place of IpWhiteList.',
      body: CreateOrListBody,
      response: { 200: Type.Union([Type.Array(KeyEntry), CreatedEntry]), 400: ErrorSchema, 401: ErrorSchema, 409: ErrorSchema },
    },
    // A POST without a body is the document's "list" call; validate it as an empty object. ipWhiteList,
    // the spelling responses use, stands in for the required IpWhiteList (both at once is ambiguous).
    preValidation: async (request) => {
      request.body ??= {};
      const body = request.body as Record<string, unknown>;
      if (typeof body !== 'object' || Array.isArray(body) || body.ipWhiteList === undefined) return;
      if (body.IpWhiteList !== undefined) throw badInput('IpWhiteList', 'give IpWhiteList once (ipWhiteList is the same field)');
      const { ipWhiteList, ...rest } = body;
      request.body = { ...rest, IpWhiteList: ipWhiteList };
    },
    handler: async (request) => {
      const principal = await app.requirePrincipal(request);
      const body = request.body as Static<typeof CreateOrListBody>;
      const now = clock.now();
      if (!('name' in body)) {
        const found = await keys.list(principal, { mine: true, scheme: 'hmac' });
        return found.filter((k) => keyStatus(k, now) !== 'revoked').map(entry);
      }
      const created = await keys.create(principal, {
        name: body.name,
        scheme: 'hmac',
        permissions: [...(body.isInfo ? [INFO] : []), ...(body.isTrade ? [TRADE] : [])],
        ipAllowlist: body.IpWhiteList,
        origin: 'frontoffice',
        fieldNames: { ipAllowlist: 'IpWhiteList' },
      });
      const { publicKey, ...rest } = entry(created.key);
      return { publicKey, privateKey: created.secret!, ...rest };
    },
  });

  const remove = async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = await app.requirePrincipal(request);
    const publicKey = (request.params as { public_key: string }).public_key;
    if (!isUuid(publicKey)) throw badInput('public_key', 'public_key must be the public key UUID');
    await keys.deleteByLookup(principal, 'hmac', publicKey.toLowerCase(), { policy: 'owner' });
    return reply.status(200).send();
  };
  const deleteSchema = { tags, security, summary: 'Delete an API key pair', params: PublicKeyParam, response: { 200: Type.Null(), 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema } };
  app.delete('/frontoffice/api/key/:public_key', { schema: deleteSchema, handler: remove });
  // The document's method list names this shorter path too.
  app.delete('/frontoffice/key/:public_key', { schema: deleteSchema, handler: remove });
}
