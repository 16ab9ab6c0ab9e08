/**
 * Characters no name or label may hold. Control characters (C0, DEL, C1): PostgreSQL rejects NUL in
 * text outright, and no name needs one. Bidirectional marks, embeddings, overrides and isolates: a
 * right-to-left override makes `key‮gnp.exe` read as another name in the console and the audit log.
 * Line and paragraph separators, which break a name over lines in logs. And lone surrogates, which are
 * not text (they cannot be encoded as UTF-8). Joiners and other format characters stay: emoji need them.
 */
const FORBIDDEN = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;

/** True when `text` holds a character no name may: a control character, a bidirectional control, a line separator or a lone surrogate. */
export function hasControlCharacters(text: string): boolean {
  return FORBIDDEN.test(text);
}

/** How refusals name what `hasControlCharacters` finds. */
export const CONTROL_CHARACTERS = 'control characters (bidirectional controls, line separators and lone surrogates included)';
