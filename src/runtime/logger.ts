import pino, { type Logger } from 'pino';

/** Field names that carry credentials wherever they appear in a logged object. */
const SECRET_FIELDS = ['key', 'apiKey', 'api_key', 'secret', 'token', 'privateKey', 'private_key', 'password', 'authorization'];

/**
 * Paths whose values never reach a log line: credential headers, and secret-named fields at the top
 * level and up to two levels down (pino's redaction has no recursive wildcard).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-keygate-server-token"]',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

/** Query parameter names whose values are credentials, compared after decoding and in lowercase. */
const SECRET_PARAMETERS = new Set(['api_key', 'apikey', 'token', 'key', 'access_token']);

/** A query parameter's name as a server reads it: percent-decoded, `+` as a space; the raw text if it does not decode. */
function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' ')).trim().toLowerCase();
  } catch {
    return name.toLowerCase();
  }
}

/**
 * Masks credentials that ride in a URL's query string (spec 002 allows `api_key=`). Names are
 * compared after percent-decoding, as the verifier reads them: `?api%5Fkey=dsk_…` is a key too.
 */
export function redactUrl(url: string): string {
  const queryAt = url.indexOf('?');
  if (queryAt === -1) return url;
  const hashAt = url.indexOf('#', queryAt);
  const query = url.slice(queryAt + 1, hashAt === -1 ? undefined : hashAt);
  const masked = query
    .split(/([&;])/)
    .map((part) => {
      const equals = part.indexOf('=');
      if (equals === -1) return part;
      return SECRET_PARAMETERS.has(decodedName(part.slice(0, equals))) ? `${part.slice(0, equals)}=[REDACTED]` : part;
    })
    .join('');
  return url.slice(0, queryAt + 1) + masked + (hashAt === -1 ? '' : url.slice(hashAt));
}

/** The process logger: JSON lines, secrets redacted. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      serializers: {
        req: (req: { method?: string; url?: string; ip?: string; id?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url ? redactUrl(req.url) : req.url,
          ip: req.ip,
        }),
      },
    },
    destination,
  );
}
