import type { ApiKey, KeyScheme } from '../core/api-key.ts';
import type { SecretBox } from '../core/secret-box.ts';
import type { Broker } from '../bus/broker.ts';
import type { Refusal } from '../core/verdict.ts';
import type { RequestFacts } from '../core/request-facts.ts';
import type { SignatureWindow } from './signature-window.ts';

/** What a scheme found in a request. */
export type Extraction<C> =
  | { readonly kind: 'absent' }
  | { readonly kind: 'malformed'; readonly message: string }
  | { readonly kind: 'claim'; readonly claim: C; readonly lookup: string };

/** What proving a claim may use. */
export interface ProofContext {
  /** The verification's one reading of the clock. */
  readonly now: number;
  readonly broker: Broker;
  /** How far a signed request's timestamp may lie behind and ahead of `now`. */
  readonly signatureWindow: SignatureWindow;
}

/** What preparing a loaded key's verification material may use. */
export interface PrepareContext {
  readonly secrets: SecretBox;
}

/** What issuing a credential produced: what to store, and the secret to show once (if any). */
export interface IssuedCredential {
  readonly lookup: string;
  readonly tail: string;
  /** Shown to the holder exactly once; null when the holder already has it (uploaded public key). */
  readonly secret: string | null;
  readonly secretCiphertext: string | null;
  readonly publicKey: string | null;
}

export interface IssueContext {
  readonly secrets: SecretBox;
  readonly opaquePrefix: string;
}

/**
 * One credential scheme: which headers announce it (the verifier's index), how a request carries it
 * (extract), what is derived from a stored key once when it is loaded (prepare: a KeyObject, an
 * opened secret), how a claim is checked against it (prove) and how a new one is made (issue).
 */
export interface CredentialScheme<C = unknown, M = unknown> {
  readonly name: KeyScheme;
  /** True when proving needs a signature check (costly, so throttled even for known keys). */
  readonly signed: boolean;
  /** Lowercase request headers whose presence means this scheme may own the request, most specific first. */
  readonly headers: readonly string[];
  /** True when the scheme may also find its credential in the URL's query string. */
  readonly readsQuery: boolean;
  extract(facts: RequestFacts): Extraction<C>;
  /** Verification material derived from the stored key; built once per cache load, never per request. */
  prepare(key: ApiKey, context: PrepareContext): M;
  /** Null when the claim is proven for this key, else why not. */
  prove(claim: C, material: M, facts: RequestFacts, context: ProofContext): Refusal | null | Promise<Refusal | null>;
  /** Makes a new credential; `material` is scheme input such as an uploaded public key. */
  issue(material: Readonly<Record<string, unknown>>, context: IssueContext): Promise<IssuedCredential>;
}
