import type { Config } from '../config/config-schema.ts';
import type { CredentialScheme } from './credential-scheme.ts';
import { ed25519Scheme } from './ed25519-scheme.ts';
import { hmacScheme } from './hmac-scheme.ts';
import { opaqueScheme } from './opaque-scheme.ts';
import { rsaPssScheme } from './rsa-pss-scheme.ts';

/**
 * The schemes a node accepts, in the order the verifier tries them: signed schemes first
 * (they claim a request only when their signature headers are present), opaque keys last.
 */
export function registeredSchemes(config: Config): CredentialScheme[] {
  return [
    hmacScheme(config.signing.hmac),
    rsaPssScheme(config.signing.rsa),
    ed25519Scheme(config.signing.ed25519),
    opaqueScheme(config.keys.opaquePrefix),
  ] as CredentialScheme[];
}
