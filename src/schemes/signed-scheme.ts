import type { ApiKey, KeyScheme } from '../core/api-key.ts';
import { header } from '../core/request-facts.ts';
import type { CredentialScheme, Extraction, IssueContext, IssuedCredential, PrepareContext } from './credential-scheme.ts';
import { claimSignature, claimSpace } from './replay-guard.ts';
import { signedMessage, type SignedParts } from './signed-message.ts';
import { checkSignatureWindow, timestampMs, type TimestampUnit } from './signature-window.ts';

/** The header names one signed-request scheme reads (configuration: `signing.<scheme>`). */
export interface SignedHeaderNames {
  readonly key: string;
  readonly timestamp: string;
  readonly signature: string;
}

/** A signed request as extracted: the raw timestamp and the signature's bytes (the key it names is the extraction's lookup). */
export interface SignedClaim {
  readonly timestamp: string;
  readonly signature: Buffer;
}

/** A loaded key's material for one signed scheme: what verifies its signatures, and the space its replay claims are made in. */
export interface SignedMaterial<M> {
  readonly verifier: M;
  readonly claimSpace: string;
}

/** What the key header says to one signed scheme. */
export type KeyHeaderReading = { readonly lookup: string } | { readonly malformed: string } | 'not-mine';

/** Everything that tells one signed scheme from another; the rest is written once in `signedScheme`. */
export interface SignedSchemeDefinition<M> {
  readonly name: Exclude<KeyScheme, 'opaque'>;
  readonly headers: SignedHeaderNames;
  readonly timestampUnit: TimestampUnit;
  /** What the signed string covers besides timestamp + METHOD + path. */
  readonly signs: SignedParts;
  /** Reads the key header; 'not-mine' leaves the request to another scheme sharing the header. */
  readKey(value: string): KeyHeaderReading;
  readonly signature: {
    /** The signature's bytes from the header's text, or null when the text does not have its shape. */
    decode(text: string): Buffer | null;
    readonly malformed: string;
  };
  /** The verification material of a stored key (null when it has none), built once per cache load. */
  prepare(key: ApiKey, context: PrepareContext): M | null;
  /**
   * The one byte form a signature is verified and claimed in, or null when no form of it can be valid.
   * Absent: the decoded bytes are already canonical (fixed-length hex).
   */
  canonical?(material: M, signature: Buffer): Buffer | null;
  /** Checks the signature over the signed string (UTF-8). */
  verify(material: M, message: string, signature: Buffer): boolean;
  /** The refusal message of a signature that does not verify. */
  readonly invalid: string;
  issue(material: Readonly<Record<string, unknown>>, context: IssueContext): Promise<IssuedCredential>;
}

/**
 * Builds a signed-request scheme from its definition. Written once here for every such scheme:
 * reading the three headers, the timestamp window, the signature check on canonical bytes and the
 * replay claim of those bytes. Policy checks (revoked, expired, IP, permission, limits) are the verifier's.
 */
export function signedScheme<M>(definition: SignedSchemeDefinition<M>): CredentialScheme<SignedClaim, SignedMaterial<M> | null> {
  const names = {
    key: definition.headers.key.toLowerCase(),
    timestamp: definition.headers.timestamp.toLowerCase(),
    signature: definition.headers.signature.toLowerCase(),
  };
  return {
    name: definition.name,
    signed: true,
    headers: [names.key],
    readsQuery: false,
    extract(facts): Extraction<SignedClaim> {
      const keyValue = header(facts, names.key)?.trim();
      if (keyValue === undefined) return { kind: 'absent' };
      const reading = definition.readKey(keyValue);
      if (reading === 'not-mine') return { kind: 'absent' };
      const timestamp = header(facts, names.timestamp)?.trim();
      const signature = header(facts, names.signature)?.trim();
      if (!timestamp || !signature) return { kind: 'malformed', message: missingHeaders(definition.headers, !timestamp, !signature) };
      if ('malformed' in reading) return { kind: 'malformed', message: reading.malformed };
      // Decoded here, once: the claim is on the bytes, so hex case or base64 padding never makes a fresh claim.
      const bytes = definition.signature.decode(signature!);
      if (bytes === null) return { kind: 'malformed', message: definition.signature.malformed };
      return { kind: 'claim', claim: { timestamp: timestamp!, signature: bytes }, lookup: reading.lookup };
    },
    prepare(key, context) {
      const verifier = definition.prepare(key, context);
      return verifier === null ? null : { verifier, claimSpace: claimSpace(definition.name, key.lookup) };
    },
    prove(claim, material, facts, context) {
      const signedAt = timestampMs(claim.timestamp, definition.timestampUnit);
      const stale = checkSignatureWindow(signedAt, definition.timestampUnit, context.now, context.signatureWindow);
      if (stale) return stale;
      if (material === null) return { code: 'INVALID_SIGNATURE', message: 'this key has no verification material' };
      const { verifier } = material;
      const signature = definition.canonical ? definition.canonical(verifier, claim.signature) : claim.signature;
      if (signature === null || !definition.verify(verifier, signedMessage(facts, claim.timestamp, definition.signs), signature)) return { code: 'INVALID_SIGNATURE', message: definition.invalid };
      return claimSignature(context.broker, material.claimSpace, signature, context.signatureWindow, signedAt!);
    },
    issue: (material, context) => definition.issue(material, context),
  };
}

/** The refusal of a signed request without its timestamp or signature header (or both), naming them. */
function missingHeaders(headers: SignedHeaderNames, timestamp: boolean, signature: boolean): string {
  if (timestamp && signature) return `signed request is missing the ${headers.timestamp} and ${headers.signature} headers`;
  return `signed request is missing the ${timestamp ? headers.timestamp : headers.signature} header`;
}
