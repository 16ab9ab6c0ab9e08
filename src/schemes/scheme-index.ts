import type { RequestFacts } from '../core/request-facts.ts';
import type { CredentialScheme } from './credential-scheme.ts';

/** What the index found in a request: no credential, a malformed one, or a claim for one scheme. */
export type FoundCredential =
  | { readonly kind: 'absent' }
  | { readonly kind: 'malformed'; readonly message: string }
  | { readonly kind: 'claim'; readonly scheme: CredentialScheme; readonly claim: unknown; readonly lookup: string };

const ABSENT: FoundCredential = { kind: 'absent' };

/**
 * Finds which scheme owns a request from the headers it carries, through a table built once at
 * start-up: a scheme is asked only when one of its announcing headers is present (or, for a scheme
 * that reads the query string, when there is one), in registration order, so a dsk_ key never runs
 * the signed schemes' parsing. A claim wins over a malformed reading; among malformed readings the
 * first scheme's message is reported.
 */
export class SchemeIndex {
  /** In registration order; each declares the headers that announce it. */
  readonly #schemes: readonly CredentialScheme[];
  readonly #byName: ReadonlyMap<string, CredentialScheme>;

  constructor(schemes: readonly CredentialScheme[]) {
    this.#schemes = schemes;
    this.#byName = new Map(schemes.map((scheme) => [scheme.name, scheme]));
  }

  /** The scheme registered under `name`. */
  named(name: string): CredentialScheme {
    const scheme = this.#byName.get(name);
    if (!scheme) throw new Error(`no scheme registered for ${name}`);
    return scheme;
  }

  /** Finds the credential a request carries. */
  find(facts: RequestFacts): FoundCredential {
    let malformed: string | null = null;
    let hasQuery: boolean | undefined;
    for (const scheme of this.#schemes) {
      if (!announced(facts, scheme.headers) && !(scheme.readsQuery && (hasQuery ??= facts.url.includes('?')))) continue;
      const extraction = scheme.extract(facts);
      if (extraction.kind === 'claim') return { kind: 'claim', scheme, claim: extraction.claim, lookup: extraction.lookup };
      if (extraction.kind === 'malformed') malformed ??= extraction.message;
    }
    return malformed === null ? ABSENT : { kind: 'malformed', message: malformed };
  }
}

function announced(facts: RequestFacts, headers: readonly string[]): boolean {
  for (const name of headers) if (facts.headers[name] !== undefined) return true;
  return false;
}
