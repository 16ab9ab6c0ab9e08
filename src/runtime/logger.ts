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

const SECRET_IN_URL = /([?&](?:api_key|token|apikey|key)=)[^&#\s]*/gi;

/** Masks credentials that ride in a URL's query string (spec 002 allows `api_key=`). */
export function redactUrl(url: string): string {
  return url.replace(SECRET_IN_URL, '$1[REDACTED]');
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
