import type { RequestFacts } from '../core/request-facts.ts';

/** What a scheme's signature covers besides the timestamp and method. */
export interface SignedParts {
  /** Sign the path with its query string (true) or the path alone (spec 004). */
  readonly query: boolean;
  /** Append the raw body (empty string when there is none). */
  readonly body: boolean;
}

/** Builds the string a client signed: timestamp + METHOD + path[?query] [+ body]. */
export function signedMessage(facts: RequestFacts, timestamp: string, parts: SignedParts): string {
  const at = parts.query ? -1 : facts.url.indexOf('?');
  const target = at === -1 ? facts.url : facts.url.slice(0, at);
  return timestamp + facts.method.toUpperCase() + target + (parts.body ? (facts.body ?? '') : '');
}
