import type { RequestFacts } from '../core/request-facts.ts';
import type { CredentialScheme } from './credential-scheme.ts';

/** What the index found in a request: no credential, a malformed one, or a claim for one scheme. */
export type FoundCredential =
  | { readonly kind: 'absent' }
  | { readonly kind: 'malformed'; readonly message: string }
  | { readonly kind: 'claim'; readonly scheme: CredentialScheme; readonly claim: unknown; readonly lookup: string };

/**
 * Finds which scheme owns a request from the headers it carries, through a table built once at
 * start-up: only the schemes whose announcing headers are present are asked (in registration order),
 * plus the schemes that read the query string when there is one. A claim wins over a malformed
 * reading; among malformed readings the first scheme's message is reported.
 */
export class SchemeIndex {
  /** Header name → the schemes it announces, in registration order. */
  readonly #byHeader: ReadonlyArray<readonly [string, readonly CredentialScheme[]]>;
  readonly #readQuery: readonly CredentialScheme[];
  readonly #byName: ReadonlyMap<string, CredentialScheme>;
  readonly #order: ReadonlyMap<CredentialScheme, number>;

  constructor(schemes: readonly CredentialScheme[]) {
    const byHeader = new Map<string, CredentialScheme[]>();
    for (const scheme of schemes) for (const name of scheme.headers) byHeader.set(name, [...(byHeader.get(name) ?? []), scheme]);
    this.#byHeader = [...byHeader];
    this.#readQuery = schemes.filter((scheme) => scheme.readsQuery);
    this.#byName = new Map(schemes.map((scheme) => [scheme.name, scheme]));
    this.#order = new Map(schemes.map((scheme, index) => [scheme, index]));
  }

  /** The scheme registered under `name`. */
  named(name: string): CredentialScheme {
    const scheme = this.#byName.get(name);
    if (!scheme) throw new Error(`no scheme registered for ${name}`);
    return scheme;
  }

  /** Finds the credential a request carries. */
  find(facts: RequestFacts): FoundCredential {
    let candidates: CredentialScheme[] | null = null;
    for (const [name, schemes] of this.#byHeader) {
      if (facts.headers[name] === undefined) continue;
      candidates ??= [];
      for (const scheme of schemes) if (!candidates.includes(scheme)) candidates.push(scheme);
    }
    if (facts.url.includes('?')) {
      candidates ??= [];
      for (const scheme of this.#readQuery) if (!candidates.includes(scheme)) candidates.push(scheme);
    }
    if (candidates === null) return { kind: 'absent' };
    if (candidates.length > 1) candidates.sort((a, b) => this.#order.get(a)! - this.#order.get(b)!);
    let malformed: string | null = null;
    for (const scheme of candidates) {
      const extraction = scheme.extract(facts);
      if (extraction.kind === 'claim') return { kind: 'claim', scheme, claim: extraction.claim, lookup: extraction.lookup };
      if (extraction.kind === 'malformed') malformed ??= extraction.message;
    }
    return malformed === null ? { kind: 'absent' } : { kind: 'malformed', message: malformed };
  }
}
