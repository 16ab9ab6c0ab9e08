import type { ApiKey } from './api-key.ts';

/**
 * The headers forward-auth adds to a 200 so the protected API knows who is calling, in the order they
 * are sent, with how each is read from the key. A proxy must set or clear every one of them toward the
 * API, so a client can never supply its own (see the README's proxy snippets).
 */
export const IDENTITY_HEADERS = {
  'X-Keygate-Key-Id': (key: ApiKey) => key.id,
  'X-Keygate-User-Id': (key: ApiKey) => key.userId,
  'X-Keygate-Organization-Id': (key: ApiKey) => key.organizationId,
  'X-Keygate-Scheme': (key: ApiKey) => key.scheme,
  'X-Keygate-Permissions': (key: ApiKey) => key.permissions.join(','),
  'X-Keygate-Tier': (key: ApiKey) => key.tier,
  'X-Keygate-Allowed-Exchanges': (key: ApiKey) => key.allowedExchanges.join(','),
} as const satisfies Record<string, (key: ApiKey) => string>;

/** The name of one identity header, as the `forwardAuth.identityHeaders` setting lists it. */
export type IdentityHeader = keyof typeof IDENTITY_HEADERS;

/** Every identity header, the default set. */
export const IDENTITY_HEADER_NAMES = Object.keys(IDENTITY_HEADERS) as IdentityHeader[];

/**
 * HTTP headers as one flat list, each lowercase name followed by its value: the form Node's
 * writeHead takes as it is. An object of headers costs Node a property walk per answer, and
 * building one per answer (a spread) cost about 2.5 µs of a 20 µs forward-auth check.
 */
export type HeaderList = readonly string[];

/**
 * The headers of forward-auth's 200 for a key: `X-Keygate-Code: VALID`, then its chosen identity
 * headers, as one header list. Built once per cache load, so a cached key's answer copies nothing.
 */
export function validAnswerHeaders(key: ApiKey, names: readonly IdentityHeader[]): HeaderList {
  const headers = ['x-keygate-code', 'VALID'];
  for (const name of names) headers.push(name.toLowerCase(), IDENTITY_HEADERS[name](key));
  // Shared by every answer for the key: frozen, so a writer that tried to add to it would throw.
  return Object.freeze(headers);
}
