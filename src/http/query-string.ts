import querystring from 'fast-querystring';

/** A parsed query string: repeated names become arrays. */
export type ParsedQuery = Record<string, string | string[] | undefined>;

/**
 * The one query-string parser of the HTTP server: Fastify's router is given it, and the forward-auth
 * fast path calls it, so both read `?permission=a&permission=b` (or `+`, or `%2C`) alike. It is the
 * parser Fastify uses by default; naming it here makes that agreement a fact, not an accident.
 */
export function parseQueryString(query: string): ParsedQuery {
  return query.length === 0 ? {} : (querystring.parse(query) as ParsedQuery);
}
