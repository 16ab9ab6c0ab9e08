import { badInput } from './errors.ts';

// Lowercase letters, digits and . _ -, starting with a letter or digit: what exchange names look like
// in channel names (`listings:{exchange}`) and in a key's allowed exchanges.
const EXCHANGE = /^[a-z0-9][a-z0-9_.-]{0,31}$/;

/** True when `name` is a well-formed exchange name (already lowercase). */
export function isExchangeName(name: string): boolean {
  return EXCHANGE.test(name);
}

/** Validates allowed exchanges: `*` or exchange names (lowercased); returns them de-duplicated. */
export function validateExchanges(entries: readonly unknown[], field = 'allowedExchanges'): string[] {
  const result = entries.map((entry, index) => {
    const value = typeof entry === 'string' ? entry.trim().toLowerCase() : entry;
    if (value === '*' || (typeof value === 'string' && isExchangeName(value))) return value;
    const problem = `${field}[${index}] must be "*" or an exchange name (letters, digits, . _ -)`;
    throw badInput(field, `${problem}, got ${JSON.stringify(entry)}`, problem);
  });
  return [...new Set(result)];
}
