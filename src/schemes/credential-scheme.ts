import type { ApiKey, KeyScheme } from '../core/api-key.ts';
import type { SecretBox } from '../core/secret-box.ts';
import type { Broker } from '../bus/broker.ts';
import type { Refusal } from '../core/verdict.ts';
import type { RequestFacts } from '../core/request-facts.ts';

/** What a scheme found in a request. */
export type Extraction<C> =
  | { readonly kind: 'absent' }
  | { readonly kind: 'malformed'; readonly message: string }
  | { readonly kind: 'claim'; readonly claim: C; readonly lookup: string };

/** What proving a claim may use. */
export interface ProofContext {
  readonly now: number;
  readonly secrets: SecretBox;
  readonly broker: Broker;
  /** Accepted clock skew for signed requests, either way. */
  readonly signatureWindowMs: number;
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
 * One credential scheme: how a request carries it (extract), how it is checked against
 * the stored key (prove) and how a new one is made (issue).
 */
export interface CredentialScheme<C = unknown> {
  readonly name: KeyScheme;
  /** True when proving needs a signature check (costly, so throttled even for known keys). */
  readonly signed: boolean;
  extract(facts: RequestFacts): Extraction<C>;
  /** Null when the claim is proven for this key, else why not. */
  prove(claim: C, key: ApiKey, facts: RequestFacts, context: ProofContext): Promise<Refusal | null>;
  /** Makes a new credential; `material` is scheme input such as an uploaded public key. */
  issue(material: Readonly<Record<string, unknown>>, context: IssueContext): Promise<IssuedCredential>;
}
