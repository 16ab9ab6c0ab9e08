import { header, type RequestFacts } from '../core/request-facts.ts';

/** The header names one signed-request scheme reads. */
export interface SignedHeaderNames {
  readonly key: string;
  readonly timestamp: string;
  readonly signature: string;
}

/** The three values every signed request carries, as sent. */
export interface SignedHeaderValues {
  readonly key: string;
  readonly timestamp: string;
  readonly signature: string;
}

/** What the signature headers of a request say about one scheme. */
export type SignedHeaderReading =
  | { readonly kind: 'absent' }
  | { readonly kind: 'malformed'; readonly message: string }
  | { readonly kind: 'present'; readonly values: SignedHeaderValues };

/**
 * Reads a scheme's key, timestamp and signature headers. Absent when the key header is missing
 * (another scheme may own the request); malformed when the key is there but the rest is not.
 */
export function readSignedHeaders(facts: RequestFacts, names: SignedHeaderNames): SignedHeaderReading {
  const key = header(facts, names.key.toLowerCase())?.trim();
  if (key === undefined) return { kind: 'absent' };
  const timestamp = header(facts, names.timestamp.toLowerCase())?.trim();
  const signature = header(facts, names.signature.toLowerCase())?.trim();
  const missing = [timestamp === undefined || timestamp === '' ? names.timestamp : null, signature === undefined || signature === '' ? names.signature : null].filter(Boolean);
  if (missing.length > 0) return { kind: 'malformed', message: `signed request is missing the ${missing.join(' and ')} header${missing.length > 1 ? 's' : ''}` };
  return { kind: 'present', values: { key, timestamp: timestamp!, signature: signature! } };
}
