import { CONTROL_CHARACTERS, hasControlCharacters } from './control-characters.ts';
import { badInput } from './errors.ts';

/** Validates a key name: 1–100 characters after trimming, no control characters; returns it trimmed. */
export function validateKeyName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || name.trim().length === 0) throw badInput(field, `${field} is required`);
  if (name.trim().length > 100) throw badInput(field, `${field} must be at most 100 characters`);
  if (hasControlCharacters(name)) throw badInput(field, `${field} must not contain ${CONTROL_CHARACTERS}`);
  return name.trim();
}
