import type { Config } from '../config/config-schema.ts';
import type { CredentialScheme } from './credential-scheme.ts';
import { opaqueScheme } from './opaque-scheme.ts';

/**
 * The schemes a node accepts, in the order the verifier tries them: signed schemes first
 * (they claim a request only when their signature headers are present), opaque keys last.
 */
export function registeredSchemes(config: Config): CredentialScheme[] {
  return [opaqueScheme(config.keys.opaquePrefix)] as CredentialScheme[];
}
