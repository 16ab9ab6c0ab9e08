/** What a scheme may look at in a request, independent of the transport that carried it. */
export interface RequestFacts {
  readonly method: string;
  /** Path and query string exactly as the client sent them. */
  readonly url: string;
  /** Header names in lowercase. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Raw body text, when the adapter has it (signed schemes may cover it). */
  readonly body?: string;
  readonly ip?: string;
}

/** Splits a request URL into its path and its query parameters. */
export function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const at = url.indexOf('?');
  return at === -1 ? { path: url, query: new URLSearchParams() } : { path: url.slice(0, at), query: new URLSearchParams(url.slice(at + 1)) };
}

/** Reads a header that may have been sent more than once as its first value. */
export function header(facts: RequestFacts, name: string): string | undefined {
  const value = facts.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
